import { BufferArena } from '../gpu/arena';
import { readF32, readI32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import type { BatchNormMode } from '../kernels/batchnorm';
import { createDgcnn, type Dgcnn } from './dgcnn';
import { concatOffset } from './dgcnn-buffers';
import { concatWidth, type DgcnnConfig } from './dgcnn-config';
import type { HostTensors } from './param-store';
import type { EncoderPlanOptions, PointEncoder } from './point-encoder';
import { createPointNet } from './pointnet';
import type { EncoderModel } from './weights';

/** Plans the encoder a model describes (DGCNN or PointNet) in `arena`. */
export function createPointEncoder(
  ctx: GpuContext,
  arena: BufferArena,
  m: EncoderModel,
  o: EncoderPlanOptions,
): Promise<PointEncoder> {
  return m.kind === 'dgcnn' ? createDgcnn(ctx, arena, m.config, o) : createPointNet(ctx, arena, m.config, o);
}

/** [B, N, 3] point-major clouds → [B, 3, N] channel-major (the encoders' input layout), and back. */
export function toChannelMajor(xyz: Float32Array, B: number, N: number): Float32Array {
  const out = new Float32Array(B * 3 * N);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++)
      for (let c = 0; c < 3; c++) out[(b * 3 + c) * N + n] = xyz[(b * N + n) * 3 + c]!;
  return out;
}
export function toPointMajor(x: Float32Array, B: number, N: number): Float32Array {
  const out = new Float32Array(B * N * 3);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++)
      for (let c = 0; c < 3; c++) out[(b * N + n) * 3 + c] = x[(b * 3 + c) * N + n]!;
  return out;
}

/** What one forward (and backward) produced, on the host. */
export interface EncoderOutputs {
  /** [B, featureWidth] */
  features: Float32Array;
  /** [B, projWidth] */
  projections: Float32Array;
  /** DGCNN only: per EdgeConv, [B, N, k] neighbour indices and [B, Cout, N] winning slots. */
  knn: Int32Array[];
  argmax: Int32Array[];
  /**
   * DGCNN only: per EdgeConv, [B, Cout, N] 1 where the winner's pre-activation (the BN output the
   * LeakyReLU saw) is > 0, else 0. Read from the layer output y = LeakyReLU(z), which is > 0
   * exactly when z > 0, so it is the branch the GPU itself took (and its backward retakes).
   */
  pos: Uint8Array[];
  /** With a cotangent: the gradient of every trainable tensor by name, and of the points [B, N, 3]. */
  grads?: Map<string, Float32Array>;
  dPoints?: Float32Array;
}

/**
 * Encodes B clouds given point-major [B, N, 3]. Eval mode runs chunks of at most `chunk` clouds
 * through one plan (clouds are independent there; the last chunk is padded with copies of its last
 * cloud). Train mode (batch statistics) and the backward run all B clouds at once. With
 * `cotangent` [B, proj] the backward of Σ projections ⊙ cotangent also runs.
 */
export async function runPointEncoder(
  ctx: GpuContext,
  m: EncoderModel,
  values: HostTensors,
  xyz: Float32Array,
  B: number,
  N: number,
  mode: BatchNormMode,
  opts: { cotangent?: Float32Array; chunk?: number } = {},
): Promise<EncoderOutputs> {
  const whole = mode === 'train' || opts.cotangent !== undefined;
  const size = whole ? B : Math.min(B, opts.chunk ?? 32);
  const arena = new BufferArena(ctx, 'the number of clouds or --points');
  try {
    const enc = await createPointEncoder(ctx, arena, m, {
      batch: size,
      points: N,
      backward: opts.cotangent !== undefined,
      inputGrad: opts.cotangent !== undefined,
    });
    enc.params.upload(values);
    const F = enc.featureWidth;
    const P = enc.projWidth;
    const dg = enc.kind === 'dgcnn' ? (enc as Dgcnn) : undefined;
    const widths = dg ? dg.config.edgeWidths : [];
    const k = dg?.config.k ?? 0;
    const out: EncoderOutputs = {
      features: new Float32Array(B * F),
      projections: new Float32Array(B * P),
      knn: widths.map(() => new Int32Array(B * N * k)),
      argmax: widths.map((w) => new Int32Array(B * w * N)),
      pos: widths.map((w) => new Uint8Array(B * w * N)),
    };
    for (let start = 0; start < B; start += size) {
      const count = Math.min(size, B - start);
      const chunk = new Float32Array(size * N * 3);
      chunk.set(xyz.subarray(start * N * 3, (start + count) * N * 3));
      for (let i = count; i < size; i++) chunk.copyWithin(i * N * 3, (count - 1) * N * 3, count * N * 3);
      writeBuffer(ctx, enc.input, toChannelMajor(chunk, size, N));
      if (opts.cotangent) writeBuffer(ctx, enc.dProjections!, opts.cotangent);
      await submitAndWait(ctx, (e) => {
        enc.encodeForward(e, mode);
        if (opts.cotangent) enc.encodeBackward(e);
      });
      out.features.set(await readF32(ctx, enc.features, count * F), start * F);
      out.projections.set(await readF32(ctx, enc.projections, count * P), start * P);
      for (let l = 0; l < widths.length; l++) {
        out.knn[l]!.set(await readI32(ctx, dg!.knnBuffers[l]!, count * N * k), start * N * k);
        out.argmax[l]!.set(
          await readI32(ctx, dg!.argBuffers[l]!, count * widths[l]! * N),
          start * widths[l]! * N,
        );
      }
      if (dg)
        readPositive(
          await readF32(ctx, dg.concat, count * concatWidth(dg.config) * N),
          dg.config,
          N,
          out.pos,
          start,
        );
    }
    if (opts.cotangent) {
      out.grads = await enc.params.downloadGrads();
      out.dPoints = toPointMajor(await readF32(ctx, enc.dInput!, B * 3 * N), B, N);
    }
    enc.destroy();
    return out;
  } finally {
    arena.destroy();
  }
}

/** pos[l] for clouds start… from concat [count, Ctot, N] (EdgeConv l's outputs at its channel slice). */
function readPositive(
  concat: Float32Array,
  c: DgcnnConfig,
  N: number,
  pos: Uint8Array[],
  start: number,
): void {
  const Ctot = concatWidth(c);
  const count = concat.length / (Ctot * N);
  for (let l = 0; l < c.edgeWidths.length; l++) {
    const O = c.edgeWidths[l]!;
    const c0 = concatOffset(c, l + 1);
    for (let b = 0; b < count; b++) {
      const dst = (start + b) * O * N;
      const src = (b * Ctot + c0) * N;
      for (let m = 0; m < O * N; m++) pos[l]![dst + m] = concat[src + m]! > 0 ? 1 : 0;
    }
  }
}
