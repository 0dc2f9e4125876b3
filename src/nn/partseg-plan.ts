import { formatBytes } from '../gpu/errors';
import { type BufferSpec, sumByGroup } from './buffer-plan';
import { partSegBufferSpecs, partSegEdgeBlocks } from './dgcnn-partseg-buffers';
import type { PartSegConfig } from './dgcnn-partseg-config';

/**
 * The GPU bytes of one part-segmentation training step (train_partseg.py: B clouds of N points,
 * forward, backward, SGD with momentum): the buffers createDgcnnPartSeg allocates (its own list),
 * the momentum (one float per trainable value) and the loss's softmax [B, parts, N], against the
 * naive edge-tensor formulation PyTorch runs.
 */

/** SGD momentum: one float per trainable value ("optimizer"). */
function momentumSpecs(specs: readonly BufferSpec[]): BufferSpec[] {
  return specs
    .filter((s) => s.group === 'weights')
    .map((s) => ({ name: `sgd.${s.name}`, bytes: s.bytes, group: 'optimizer' }));
}

/**
 * PyTorch's DGCNN_partseg keeps, per EdgeConv block, the edge feature [B, 2C, N, k] (conv a's
 * input), each conv's output and BN output [B, O, N, k] (BN and LeakyReLU inputs), and between two
 * convs the LeakyReLU output (conv b's input, LeakyReLU is not in place there); the gradients of a
 * block's edge tensors are transient, the largest block's counted once. Every other buffer is ours.
 */
export function naivePartSegSpecs(
  c: PartSegConfig,
  B: number,
  N: number,
  ours: readonly BufferSpec[],
): BufferSpec[] {
  const prefix = 'partseg.';
  const blocks = partSegEdgeBlocks(c, N);
  // Our fused blocks' own scratch (per-point projections, statistics) is not PyTorch's.
  const fused = new Set(blocks.map((_, g) => `${prefix}edge${g}.scratch`));
  const specs = ours.filter((s) => !fused.has(s.name));
  const edges = B * N * c.k;
  let peak = 0;
  blocks.forEach((b, g) => {
    const O = b.stages.map((s) => s.Cout);
    const kept = 2 * b.C + O.reduce((t, o) => t + 2 * o, 0) + (O.length > 1 ? O[0]! : 0);
    specs.push({ name: `${prefix}edge${g}.naive`, bytes: 4 * edges * kept, group: 'activations' });
    peak = Math.max(peak, 2 * b.C + O.reduce((t, o) => t + 2 * o, 0));
  });
  specs.push({ name: `${prefix}edge.transient`, bytes: 4 * edges * peak, group: 'transient' });
  return specs;
}

function figures(specs: readonly BufferSpec[]) {
  const bytes = sumByGroup(specs);
  return { bytes, total: formatBytes(bytes.total!) };
}

export function partSegStepPlan(c: PartSegConfig, batch: number, points: number, knnSplits = 1) {
  const model = partSegBufferSpecs(c, { batch, points, backward: true }, knnSplits);
  const extra = [
    ...momentumSpecs(model),
    { name: 'loss.softmax', bytes: 4 * batch * c.parts * points, group: 'loss' } as BufferSpec,
  ];
  const ours = figures([...model, ...extra]);
  const naive = figures([...naivePartSegSpecs(c, batch, points, model), ...extra]);
  const edgeTensor = 4 * batch * 128 * points * c.k;
  return {
    model: 'partseg',
    batch,
    points,
    k: c.k,
    parameters: model.filter((s) => s.group === 'weights').reduce((t, s) => t + s.bytes / 4, 0),
    ours,
    naive,
    naiveOverOurs: Number((naive.bytes.total! / ours.bytes.total!).toFixed(2)),
    oneEdgeTensor128: formatBytes(edgeTensor),
    largestBuffer: model.reduce((m, s) => (s.bytes > m.bytes ? s : m)),
    notes: [
      'ours: the buffers createDgcnnPartSeg allocates (bytes by group), SGD momentum, the loss softmax',
      "ours fuses every EdgeConv block (shaders/edgeconv2.wgsl for the two-conv blocks, edgeconv.wgsl for conv5): no per-edge tensor, both BNs with exact statistics over the B·N·k edges; a block keeps only O(B·N·C) buffers (its per-point projections, statistics, the backward's reverse adjacency), its kernel-scratch entry",
      'naive: PyTorch DGCNN_partseg, keeping also the LeakyReLU output between the two per-edge convs, with the per-edge gradients of the largest block as a transient peak',
    ],
  };
}
