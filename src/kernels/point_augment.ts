import pointAugmentWgsl from '../../shaders/point_augment.wgsl?raw';
import { createStorageBuffer, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import type { Rng } from '../util/random';
import {
  type AugmentDraw,
  CLOUD_PARAM_WORDS,
  drawAugmentParams,
  type PointAugmentOptions,
  packCloudParams,
} from './point_augment-params';

const WG = 256;

export interface PointAugmentShape {
  /** Clouds per batch. */
  B: number;
  /** Points per cloud. */
  N: number;
  options: PointAugmentOptions;
}

export interface PointAugmentOp {
  /** Draws this batch's parameters from `rng` (see drawAugmentParams for the order) and uploads them. */
  draw(rng: Rng): AugmentDraw;
  /** Uploads given parameters (tests, replay). */
  upload(d: AugmentDraw): void;
  /** Records the two passes (per-cloud statistics, then per-point transform). */
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * Augments a batch on the GPU: points [B, N, 3] → out [B, 3, N]. Planned once for fixed buffers;
 * per step call draw(rng) then encode(). Same parameters and input give bit-identical output.
 */
export async function planPointAugment(
  ctx: GpuContext,
  s: PointAugmentShape,
  bufs: { points: GPUBuffer; out: GPUBuffer },
): Promise<PointAugmentOp> {
  const { B, N, options: o } = s;
  if (!(B >= 1 && N >= 1))
    throw new RangeError(`planPointAugment: B and N must be at least 1 (got ${B}, ${N})`);
  checkBufferSize(
    ctx.limits,
    B * N * 3 * 4,
    'point augmentation input [B, N, 3]',
    'the batch size or the point count',
  );
  const [stats, apply] = await Promise.all([
    ctx.pipelines.compute(pointAugmentWgsl, 'stats', {}, 'point_augment'),
    ctx.pipelines.compute(pointAugmentWgsl, 'apply', {}, 'point_augment'),
  ]);
  const statsGroups = grid1D(ctx, B);
  const applyGroups = grid1D(ctx, Math.ceil((B * N) / WG));
  const flags = (o.normalize ? 1 : 0) | (o.jitter ? 2 : 0) | (o.dropout ? 4 : 0);
  const params = createParams(ctx, 'point_augment.params', [
    ['u32', B],
    ['u32', N],
    ['u32', 0],
    ['u32', flags],
    ['f32', o.jitter?.std ?? 0],
    ['f32', o.jitter?.clip ?? 0],
    ['u32', 0],
    ['u32', 0],
  ]);
  const cloudParams = createStorageBuffer(ctx, B * CLOUD_PARAM_WORDS * 4, 'point_augment.cloudParams'); // [B, 8]
  const statsBuf = createStorageBuffer(ctx, B * CLOUD_PARAM_WORDS * 4, 'point_augment.stats'); // [B, 8]
  // layout 'auto' keeps only the bindings an entry point uses: `stats` never touches `out`.
  const bind = (pipeline: GPUComputePipeline, withOut: boolean) =>
    ctx.device.createBindGroup({
      label: 'point_augment',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: bufs.points } },
        { binding: 1, resource: { buffer: cloudParams } },
        { binding: 2, resource: { buffer: statsBuf } },
        ...(withOut ? [{ binding: 3, resource: { buffer: bufs.out } }] : []),
        { binding: 4, resource: { buffer: params.buffer } },
      ],
    });
  const statsBind = bind(stats, false);
  const applyBind = bind(apply, true);
  const upload = (d: AugmentDraw) => {
    if (d.clouds.length !== B)
      throw new RangeError(`point augment: ${d.clouds.length} clouds drawn for B = ${B}`);
    writeBuffer(ctx, cloudParams, packCloudParams(d));
    params.write([B, N, d.seed, flags, o.jitter?.std ?? 0, o.jitter?.clip ?? 0, 0, 0]);
  };
  return {
    draw(rng) {
      const d = drawAugmentParams(rng, B, o);
      upload(d);
      return d;
    },
    upload,
    encode(enc) {
      encodePass(enc, stats, statsBind, statsGroups, 'point_augment.stats');
      encodePass(enc, apply, applyBind, applyGroups, 'point_augment.apply');
    },
    destroy() {
      params.buffer.destroy();
      cloudParams.destroy();
      statsBuf.destroy();
    },
  };
}
