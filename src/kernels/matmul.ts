import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass } from '../gpu/dispatch';
import { checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';

/**
 * C[b] = alpha · op(A[b]) · op(B[b]) (+ bias) (+ C[b] when accumulate), for b < batch.
 * All sizes and offsets are in elements (f32). Strides default to dense packing; 0 broadcasts.
 */
export interface MatmulShape {
  batch: number;
  M: number;
  N: number;
  K: number;
  /** A is stored [K, M] (so op(A) = Aᵀ) instead of [M, K]. */
  transA?: boolean;
  /** B is stored [N, K] instead of [K, N]. */
  transB?: boolean;
  strideA?: number;
  strideB?: number;
  strideC?: number;
  offsetA?: number;
  offsetB?: number;
  offsetC?: number;
  /** 'row': bias[M] added to every row m; 'col': bias[N] added to every column n. */
  bias?: 'none' | 'row' | 'col';
  accumulate?: boolean;
  alpha?: number;
}

export interface MatmulBuffers {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  bias?: GPUBuffer;
}

export interface MatmulOp {
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** Plans one batched matmul over fixed buffers. */
export async function planMatmul(ctx: GpuContext, s: MatmulShape, bufs: MatmulBuffers): Promise<MatmulOp> {
  checkGrid(ctx, s);
  const biasMode = s.bias === 'row' ? 1 : s.bias === 'col' ? 2 : 0;
  if (biasMode && !bufs.bias) throw new Error('planMatmul: bias requested but no bias buffer given');
  const pipeline = await ctx.pipelines.compute(
    matmulWgsl,
    'naive',
    { TRANS_A: s.transA ? 1 : 0, TRANS_B: s.transB ? 1 : 0, BIAS: biasMode },
    'matmul',
  );
  const params = createParams(ctx, 'matmul.params', [
    ['u32', s.M],
    ['u32', s.N],
    ['u32', s.K],
    ['u32', s.batch],
    ['u32', s.strideA ?? s.M * s.K],
    ['u32', s.strideB ?? s.K * s.N],
    ['u32', s.strideC ?? s.M * s.N],
    ['f32', s.alpha ?? 1],
    ['u32', s.offsetA ?? 0],
    ['u32', s.offsetB ?? 0],
    ['u32', s.offsetC ?? 0],
    ['u32', s.accumulate ? 1 : 0],
  ]);
  // An unused bias binding still needs a buffer; C is never read through it when BIAS = 0.
  const bind = bindBuffers(
    ctx,
    pipeline,
    [bufs.a, bufs.b, bufs.c, bufs.bias ?? bufs.a, params.buffer],
    'matmul',
  );
  const groups = [Math.ceil(s.N / 16), Math.ceil(s.M / 16), s.batch] as const;
  return {
    encode: (enc) => encodePass(enc, pipeline, bind, groups, 'matmul'),
    destroy: () => params.buffer.destroy(),
  };
}

/** The grid is (N/16, M/16, batch); each must fit maxComputeWorkgroupsPerDimension. */
function checkGrid(ctx: GpuContext, s: MatmulShape) {
  const l = ctx.limits;
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', Math.ceil(s.M / 16), 'matmul rows', 'the batch size');
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', Math.ceil(s.N / 16), 'matmul columns', 'the point count');
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', s.batch, 'matmul batch', 'the batch size');
}
