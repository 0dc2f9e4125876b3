import { BufferArena } from '../gpu/arena';
import { readF32, readI32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import type { BatchNormMode } from '../kernels/batchnorm';
import { createDgcnnPartSeg } from './dgcnn-partseg';
import type { PartSegConfig } from './dgcnn-partseg-config';
import type { HostTensors } from './param-store';
import { toChannelMajor, toPointMajor } from './point-encoder-run';

/** The names of the maxes whose winners `runPartSeg` returns, in order. */
export const PARTSEG_MAX_NAMES = [
  'transform_net.conv2',
  'conv2',
  'conv4',
  'conv5',
  'transform_net.conv3',
  'conv6',
];

/** What one part-segmentation forward (and backward) produced, on the host. */
export interface PartSegOutputs {
  /** [B, parts, N] */
  logits: Float32Array;
  /** 4 × [B, N, k]: the transform net's graph, then EdgeConv A, B, C's. */
  knn: Int32Array[];
  /** Winners by max name (PARTSEG_MAX_NAMES): [B, C, N] slots over k, or [B, C] point indices. */
  argmax: Map<string, { data: Int32Array; shape: number[] }>;
  /** With a cotangent: every trainable gradient by reference name, and the points' [B, N, 3]. */
  grads?: Map<string, Float32Array>;
  dPoints?: Float32Array;
}

/** The one-hot [B, categories] of integer categories (checked by the caller). */
export function oneHot(labels: ArrayLike<number>, categories: number): Float32Array {
  const out = new Float32Array(labels.length * categories);
  for (let b = 0; b < labels.length; b++) out[b * categories + labels[b]!] = 1;
  return out;
}

/**
 * Runs the model on B point-major clouds [B, N, 3] with their categories, all in one batch (BN
 * statistics in train mode are over that batch). With `cotangent` [B, parts, N], the backward of
 * Σ logits ⊙ cotangent also runs (dropout off: a deterministic training-mode gradient).
 */
export async function runPartSeg(
  ctx: GpuContext,
  c: PartSegConfig,
  values: HostTensors,
  xyz: Float32Array,
  labels: ArrayLike<number>,
  B: number,
  N: number,
  mode: BatchNormMode,
  opts: { cotangent?: Float32Array } = {},
): Promise<PartSegOutputs> {
  const arena = new BufferArena(ctx, 'the number of clouds or --points');
  try {
    const bwd = opts.cotangent !== undefined;
    const m = await createDgcnnPartSeg(ctx, arena, c, { batch: B, points: N, backward: bwd });
    m.params.upload(values);
    writeBuffer(ctx, m.input, toChannelMajor(xyz, B, N));
    writeBuffer(ctx, m.category, oneHot(labels, c.categories));
    if (opts.cotangent) writeBuffer(ctx, m.dLogits!, opts.cotangent);
    await submitAndWait(ctx, (e) => {
      m.encodeForward(e, mode, { dropout: false });
      if (bwd) m.encodeBackward(e);
    });
    const tnet3 = c.tnet[2];
    const shapes: Record<string, number[]> = {
      'transform_net.conv2': [B, c.tnet[1], N],
      conv2: [B, c.edge, N],
      conv4: [B, c.edge, N],
      conv5: [B, c.edge, N],
      'transform_net.conv3': [B, tnet3],
      conv6: [B, c.emb],
    };
    const argmax = new Map<string, { data: Int32Array; shape: number[] }>();
    for (const name of PARTSEG_MAX_NAMES) {
      const shape = shapes[name]!;
      const count = shape.reduce((a, b) => a * b, 1);
      argmax.set(name, { data: await readI32(ctx, m.argBuffers.get(name)!, count), shape });
    }
    const out: PartSegOutputs = {
      logits: await readF32(ctx, m.logits, B * c.parts * N),
      knn: await Promise.all(m.knnBuffers.map((b) => readI32(ctx, b, B * N * c.k))),
      argmax,
    };
    if (bwd) {
      out.grads = await m.params.downloadGrads();
      out.dPoints = toPointMajor(await readF32(ctx, m.dInput!, B * 3 * N), B, N);
    }
    m.destroy();
    return out;
  } finally {
    arena.destroy();
  }
}
