import { formatBytes } from '../gpu/errors';
import { type BufferSpec, sumByGroup } from './buffer-plan';
import { dgcnnBufferSpecs } from './dgcnn-buffers';
import { type DgcnnConfig, edgeInputWidth } from './dgcnn-config';
import { resnetStepSpecs } from './resnet';
import type { ResNetConfig } from './resnet-config';

/**
 * The GPU bytes of one CrossPoint training step (DESIGN.md §1): both augmented views go through
 * the point encoder as one batch of 2B clouds, its backward, Adam's two moments per trainable
 * value, the NT-Xent losses; optionally the image branch (B images through the ResNet and its
 * head). The point-encoder figures are dgcnnBufferSpecs, the list createDgcnn allocates from.
 */

/** Adam's first and second moments: two floats per trainable value ("optimizer"). */
export function adamSpecs(specs: readonly BufferSpec[], prefix: string): BufferSpec[] {
  return specs
    .filter((s) => s.group === 'weights')
    .map((s) => ({ name: `${prefix}adam.${s.name}`, bytes: 2 * s.bytes, group: 'optimizer' }));
}

/**
 * NT-Xent buffers (estimate): L_imid over 2B point anchors and L_cmid over B prototype/image
 * pairs (2B anchors) each hold a [2B, 2B] similarity matrix, normalised copies and gradients
 * of their [2B, proj] inputs.
 */
export function lossSpecs(B: number, proj: number, which: 'imid' | 'cmid'): BufferSpec[] {
  return [{ name: `loss.${which}`, bytes: 4 * ((2 * B) ** 2 + 4 * 2 * B * proj), group: 'loss' }];
}

/**
 * The image encoder's buffers for B images of size H×H: resnetStepSpecs, the list createResNet
 * allocates (parameters, gradients, BN statistics, activations and their gradients) plus what
 * its kernels allocate for themselves, as those kernels export it.
 */
export function imageEncoderSpecs(c: ResNetConfig, imageSize: number, B: number): BufferSpec[] {
  return resnetStepSpecs(c, B, imageSize, { prefix: 'image.' });
}

/**
 * The naive edge-tensor formulation of the same point encoder (what PyTorch's DGCNN does): each
 * EdgeConv keeps for its backward the edge feature [B, 2C, N, k] (the conv input), the conv output
 * [B, O, N, k] (the BN input) and the BN output [B, O, N, k] (the LeakyReLU input); the largest
 * layer's edge-tensor gradients [B, 2C + 2O, N, k] and the kNN's [B, N, N] distance matrix are
 * transient peaks ("transient", the larger counted once). Every other buffer is the same as ours,
 * so the difference is the EdgeConv formulation alone.
 */
export function naiveDgcnnSpecs(
  c: DgcnnConfig,
  clouds: number,
  points: number,
  fused: readonly BufferSpec[],
) {
  const specs = fused.filter((s) => !/edgeconv\d\.scratch$/.test(s.name));
  const B = clouds;
  const N = points;
  const edges = B * N * c.k;
  let peak = B * N * N;
  for (let l = 1; l <= 4; l++) {
    const C = edgeInputWidth(c, l);
    const O = c.edgeWidths[l - 1]!;
    specs.push({
      name: `point.edgeconv${l}.naive`,
      bytes: 4 * edges * (2 * C + 2 * O),
      group: 'activations',
    });
    peak = Math.max(peak, edges * (2 * C + 2 * O));
  }
  specs.push({ name: 'point.edgeconv.transient', bytes: 4 * peak, group: 'transient' });
  return specs;
}

export interface StepFigures {
  /** Bytes by buffer group, and the total. */
  bytes: Record<string, number>;
  total: string;
}

function figures(specs: readonly BufferSpec[]): StepFigures {
  const bytes = sumByGroup(specs);
  return { bytes, total: formatBytes(bytes.total!) };
}

/** The model and data sizes a step's budget depends on (a training preset has them all). */
export interface StepModelShape {
  name: string;
  points: number;
  batch: number;
  imageSize: number;
  dgcnn: DgcnnConfig;
  resnet: ResNetConfig;
}

/** A training step's budget at `batch` (default the preset's): ours and the naive one. */
export function trainingStepPlan(preset: StepModelShape, batch = preset.batch, knnSplits = 1) {
  const clouds = 2 * batch;
  const c = preset.dgcnn;
  const point = dgcnnBufferSpecs(c, { batch: clouds, points: preset.points, backward: true }, knnSplits);
  const pointStep = [...point, ...adamSpecs(point, 'point.'), ...lossSpecs(batch, c.proj, 'imid')];
  const image = imageEncoderSpecs(preset.resnet, preset.imageSize, batch);
  const imageExtra = [...image, ...adamSpecs(image, 'image.'), ...lossSpecs(batch, c.proj, 'cmid')];
  const naive = naiveDgcnnSpecs(c, clouds, preset.points, point);
  const naiveStep = [...naive, ...adamSpecs(point, 'point.'), ...lossSpecs(batch, c.proj, 'imid')];
  const ours = { pointOnly: figures(pointStep), withImage: figures([...pointStep, ...imageExtra]) };
  const theirs = { pointOnly: figures(naiveStep), withImage: figures([...naiveStep, ...imageExtra]) };
  const ratio = (a: StepFigures, b: StepFigures) => Number((b.bytes.total! / a.bytes.total!).toFixed(2));
  const trainable = (specs: readonly BufferSpec[]) =>
    specs.filter((s) => s.group === 'weights').reduce((t, s) => t + s.bytes / 4, 0);
  return {
    preset: preset.name,
    batch,
    clouds,
    points: preset.points,
    k: c.k,
    imageSize: preset.imageSize,
    parameters: { point: trainable(point), image: trainable(image) },
    fused: ours,
    naive: theirs,
    naiveOverFused: {
      pointOnly: ratio(ours.pointOnly, theirs.pointOnly),
      withImage: ratio(ours.withImage, theirs.withImage),
    },
    largestPointBuffer: point.reduce((m, s) => (s.bytes > m.bytes ? s : m)),
    notes: [
      'bytes by buffer group; the point encoder is the list of buffers createDgcnn allocates (2B clouds: both augmented views in one batch), kernel-scratch is what its kernels allocate for themselves',
      'optimizer: Adam first and second moments; loss: NT-Xent similarity matrices and gradients (estimate)',
      "image branch: the buffers createResNet allocates (parameters, activations, their gradients) and its kernels' own scratch",
      'naive: the same step with each EdgeConv keeping its edge tensors [B, 2C, N, k], conv and BN outputs [B, Cout, N, k] for the backward, plus the largest transient (edge-tensor gradients or the [B, N, N] kNN distances)',
    ],
  };
}
