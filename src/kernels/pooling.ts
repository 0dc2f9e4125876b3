import poolingWgsl from '../../shaders/pooling.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';
import { bindAt } from '../gpu/bind';

/**
 * Global pooling of x [B, C, N] over N:
 * - 'maxmean' → out [B, 2C] = [max over N ; mean over N] (DGCNN's 2048-d feature for C = 1024);
 * - 'max' → out [B, C] (PointNet); 'mean' → out [B, C] (ResNet's global average pool, N = H·W).
 */
export type PoolMode = 'max' | 'mean' | 'maxmean';

export interface PoolShape {
  B: number;
  C: number;
  N: number;
  mode: PoolMode;
  /** Backward adds into dx instead of overwriting it. */
  accumulate?: boolean;
}

export interface PoolBuffers {
  /** [B, C, N] */
  x: GPUBuffer;
  /** [B, 2C] for 'maxmean', else [B, C] */
  out: GPUBuffer;
  /** [B, C] u32 arg-max indices; allocated by the plan when not given (modes with a max). */
  arg?: GPUBuffer;
  /** Gradient of out, shaped like out (needed for encodeBackward). */
  dout?: GPUBuffer;
  /** [B, C, N] */
  dx?: GPUBuffer;
}

export interface PoolOp {
  /** The arg-max buffer [B, C] (u32) the backward reads; a 4-byte stand-in for 'mean'. */
  readonly arg: GPUBuffer;
  encodeForward(enc: GPUCommandEncoder): void;
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** Threads per row: the largest power of two ≤ N, at most 64 (so every lane has an element). */
export function poolThreadsPerRow(N: number): number {
  let t = 1;
  while (t * 2 <= Math.min(N, 64)) t *= 2;
  return t;
}

export async function planPooling(ctx: GpuContext, s: PoolShape, bufs: PoolBuffers): Promise<PoolOp> {
  if (s.B < 1 || s.C < 1 || s.N < 1) throw new Error(`planPooling: empty input [${s.B}, ${s.C}, ${s.N}]`);
  const hasMax = s.mode !== 'mean';
  const hasMean = s.mode !== 'max';
  const tpr = poolThreadsPerRow(s.N);
  const constants = { HAS_MAX: hasMax ? 1 : 0, HAS_MEAN: hasMean ? 1 : 0, TPR: tpr };
  const hasBwd = bufs.dout !== undefined && bufs.dx !== undefined;
  const [fwd, bwd] = await Promise.all([
    ctx.pipelines.compute(poolingWgsl, 'forward', constants, 'pooling'),
    hasBwd ? ctx.pipelines.compute(poolingWgsl, 'backward', constants, 'pooling') : undefined,
  ]);
  const rows = s.B * s.C;
  const params = createParams(ctx, 'pooling.params', [
    ['u32', rows],
    ['u32', s.C],
    ['u32', s.N],
    ['u32', s.mode === 'maxmean' ? 2 * s.C : s.C],
    ['u32', 0],
    ['u32', s.mode === 'maxmean' ? s.C : 0],
    ['u32', s.accumulate ? 1 : 0],
    ['u32', rows * s.N],
  ]);
  const ownArg = bufs.arg ? undefined : createStorageBuffer(ctx, hasMax ? rows * 4 : 4, 'pooling.arg');
  const arg = bufs.arg ?? ownArg!;
  const bindF = bindAt(ctx, fwd, [
    [0, bufs.x],
    [1, bufs.out],
    [2, arg],
    [6, params.buffer],
  ]);
  const bindB =
    bwd && bufs.dout && bufs.dx
      ? bindAt(ctx, bwd, [
          [3, bufs.dout],
          [4, arg],
          [5, bufs.dx],
          [6, params.buffer],
        ])
      : undefined;
  const groupsF = grid1D(ctx, Math.ceil(rows / (64 / tpr)));
  const groupsB = grid1D(ctx, Math.ceil((rows * s.N) / 256));
  return {
    arg,
    encodeForward: (enc) => encodePass(enc, fwd, bindF, groupsF, `pool.${s.mode}.forward`),
    encodeBackward(enc) {
      if (!bwd || !bindB) throw new Error('pool: planned without dout/dx, no backward');
      encodePass(enc, bwd, bindB, groupsB, `pool.${s.mode}.backward`);
    },
    destroy() {
      params.buffer.destroy();
      ownArg?.destroy();
    },
  };
}
