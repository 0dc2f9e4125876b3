/**
 * Frozen encoder features of a whole dataset, for the linear-SVM and few-shot evaluations:
 * every cloud cut to its first `points` points (as the reference's evaluation loaders do),
 * centred and scaled to the unit sphere on the GPU, encoded in eval mode (BatchNorm running
 * statistics), and the pooled feature [max ; mean] read back. One plan for the whole set: the
 * last batch is padded with copies of its last cloud, so a cloud's feature does not depend on
 * its batch neighbours (eval-mode BatchNorm has no batch statistics).
 */
import { BufferArena } from '../gpu/arena';
import { readF32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { planPointAugment } from '../kernels/point_augment';
import { type AugmentDraw, NO_AUGMENT } from '../kernels/point_augment-params';
import type { DgcnnConfig } from '../nn/dgcnn-config';
import type { HostTensors } from '../nn/param-store';
import { createPointEncoder } from '../nn/point-encoder-run';
import type { PointNetConfig } from '../nn/pointnet';
import { Rng } from '../util/random';

/** The encoder and its weights (DGCNN unless `kind` says PointNet). */
export type FeatureModel =
  | { kind?: 'dgcnn'; config: DgcnnConfig; values: HostTensors }
  | { kind: 'pointnet'; config: PointNetConfig; values: HostTensors };

export interface ExtractOptions {
  /** Points per cloud fed to the encoder: the first `points` of each (default 1024). */
  points?: number;
  /** Clouds per forward (default 16; fewer when the set is smaller). */
  batch?: number;
  /** Centre each cloud and scale it into the unit sphere first (default true). */
  normalize?: boolean;
  /** Seed of the with-replacement draw used when the clouds have fewer than `points` points. */
  seed?: number;
  /** Told once when the clouds had to be resampled (what happened, for the user). */
  onWarning?: (message: string) => void;
  /** Called after each batch with the clouds done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The P-point clouds the encoder sees, [n, P, 3]: the first P of each cloud of N0 points, or,
 * when N0 < P, all N0 followed by P − N0 drawn uniformly with replacement (seeded, per cloud).
 */
export function cutClouds(
  clouds: Float32Array,
  n: number,
  N0: number,
  P: number,
  seed = 0,
): { xyz: Float32Array; resampled: boolean } {
  if (P <= N0) {
    if (P === N0) return { xyz: clouds.subarray(0, n * N0 * 3), resampled: false };
    const xyz = new Float32Array(n * P * 3);
    for (let b = 0; b < n; b++) xyz.set(clouds.subarray(b * N0 * 3, (b * N0 + P) * 3), b * P * 3);
    return { xyz, resampled: false };
  }
  const rng = new Rng(seed);
  const xyz = new Float32Array(n * P * 3);
  for (let b = 0; b < n; b++) {
    xyz.set(clouds.subarray(b * N0 * 3, (b + 1) * N0 * 3), b * P * 3);
    for (let i = N0; i < P; i++) {
      const j = rng.int(N0);
      for (let c = 0; c < 3; c++) xyz[(b * P + i) * 3 + c] = clouds[(b * N0 + j) * 3 + c]!;
    }
  }
  return { xyz, resampled: true };
}

/**
 * Features [n, featureWidth] (DGCNN: 2·emb) of n clouds given point-major [n, N0, 3].
 * Throws RangeError on bad sizes; a GpuLimitError when a batch does not fit the adapter.
 */
export async function extractFeatures(
  ctx: GpuContext,
  model: FeatureModel,
  clouds: Float32Array,
  n: number,
  N0: number,
  opts: ExtractOptions = {},
): Promise<Float32Array> {
  const P = opts.points ?? 1024;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(N0) && N0 >= 1))
    throw new RangeError(`extractFeatures: n and N0 must be positive integers (got ${n}, ${N0})`);
  if (clouds.length !== n * N0 * 3)
    throw new RangeError(`extractFeatures: ${clouds.length} values for ${n} clouds of ${N0} points`);
  if (!(Number.isInteger(P) && P >= 1))
    throw new RangeError(`extractFeatures: points must be ≥ 1 (got ${P})`);
  const { xyz, resampled } = cutClouds(clouds, n, N0, P, opts.seed ?? 0);
  if (resampled) {
    opts.onWarning?.(
      `the clouds have ${N0} points, fewer than ${P}: each keeps its ${N0} and ${P - N0} more are drawn from them with replacement`,
    );
  }
  const B = Math.min(opts.batch ?? 16, n);
  if (!(Number.isInteger(B) && B >= 1)) throw new RangeError(`extractFeatures: batch must be ≥ 1 (got ${B})`);
  const arena = new BufferArena(ctx, 'the batch size or --points');
  try {
    const em =
      model.kind === 'pointnet'
        ? ({ kind: 'pointnet', config: model.config } as const)
        : ({ kind: 'dgcnn', config: model.config } as const);
    const enc = await createPointEncoder(ctx, arena, em, {
      batch: B,
      points: P,
      backward: false,
      prefix: 'eval.',
    });
    try {
      enc.params.upload(model.values);
      const points = arena.alloc('eval.points', B * P * 3 * 4, 'activations'); // [B, P, 3]
      // NO_AUGMENT normalises and changes the layout [B, P, 3] → [B, 3, P]; without normalize
      // it only changes the layout.
      const prep = await planPointAugment(
        ctx,
        { B, N: P, options: { ...NO_AUGMENT, normalize: opts.normalize ?? true } },
        { points, out: enc.input },
      );
      try {
        const neutral: AugmentDraw = {
          seed: 0,
          clouds: Array.from({ length: B }, () => ({
            scale: 1,
            angle: 0,
            translate: [0, 0, 0] as [number, number, number],
            dropRatio: 0,
          })),
        };
        prep.upload(neutral);
        const F = enc.featureWidth;
        const out = new Float32Array(n * F);
        const chunk = new Float32Array(B * P * 3); // [B, P, 3]
        const cloud = P * 3;
        for (let start = 0; start < n; start += B) {
          const count = Math.min(B, n - start);
          chunk.set(xyz.subarray(start * cloud, (start + count) * cloud));
          // Padding: copies of the batch's last cloud (any finite cloud would do in eval mode).
          for (let i = count; i < B; i++) chunk.copyWithin(i * cloud, (count - 1) * cloud, count * cloud);
          writeBuffer(ctx, points, chunk);
          await submitAndWait(ctx, (e) => {
            prep.encode(e);
            enc.encodeForward(e, 'eval');
          });
          out.set(await readF32(ctx, enc.features, count * F), start * F);
          opts.onProgress?.(start + count, n);
        }
        return out;
      } finally {
        prep.destroy();
      }
    } finally {
      enc.destroy();
    }
  } finally {
    arena.destroy();
  }
}
