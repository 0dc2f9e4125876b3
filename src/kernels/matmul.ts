import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass } from '../gpu/dispatch';
import { GpuLimitError } from '../gpu/errors';
import { checkBufferSize, checkLimit, type EngineLimits } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { DEFAULT_MATMUL_VARIANT, type MatmulVariant, tunedMatmulVariant } from './matmul-variants';

export type { MatmulKernel, MatmulVariant } from './matmul-variants';

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
  /** What runs, e.g. "blocked-vec4 8x8" (for benchmarks and logs). */
  readonly variant: string;
}

export interface MatmulOptions {
  /** Force a kernel configuration; default: the tuned one for this device, else DEFAULT_MATMUL_VARIANT. */
  variant?: MatmulVariant;
}

/** Plans one batched matmul over fixed buffers. */
export async function planMatmul(
  ctx: GpuContext,
  s: MatmulShape,
  bufs: MatmulBuffers,
  opts: MatmulOptions = {},
): Promise<MatmulOp> {
  const v = opts.variant ?? tunedMatmulVariant(ctx) ?? DEFAULT_MATMUL_VARIANT;
  for (const d of ['batch', 'M', 'N'] as const) {
    if (!Number.isInteger(s[d]) || s[d] < 1) throw new Error(`planMatmul: ${d} must be a positive integer`);
  }
  if (!Number.isInteger(s.K) || s.K < 0) throw new Error('planMatmul: K must be a non-negative integer');
  const biasMode = s.bias === 'row' ? 1 : s.bias === 'col' ? 2 : 0;
  if (biasMode && !bufs.bias) throw new Error('planMatmul: bias requested but no bias buffer given');
  const d = dense(s);
  checkExtents(ctx, s, d, bufs, biasMode);

  let entry: string;
  let constants: Record<string, number> = {
    TRANS_A: s.transA ? 1 : 0,
    TRANS_B: s.transB ? 1 : 0,
    BIAS: biasMode,
  };
  let groups: [number, number, number];
  let tilesN = 0;
  let tilesM = 0;
  let name = 'naive';
  if (v.kernel === 'naive') {
    checkGrid(ctx, s);
    entry = 'naive';
    groups = [Math.ceil(s.N / 16), Math.ceil(s.M / 16), s.batch];
  } else {
    const wgX = v.wgX ?? 8;
    const wgY = v.wgY ?? 8;
    const bk = v.bk ?? 16;
    checkWorkgroup(ctx.limits, v.kernel, wgX, wgY, bk);
    // wide: 8×8 per thread where vec4 loads can read the operands, else blocked scalar (4×4).
    const wide = v.kernel === 'wide' && vec4Aligned(s, d);
    const per = wide ? 8 : 4;
    tilesN = Math.ceil(s.N / (per * wgX));
    tilesM = Math.ceil(s.M / (per * wgY));
    groups = foldGrid(ctx.limits, tilesN * tilesM * s.batch);
    constants = { ...constants, WG_X: wgX, WG_Y: wgY };
    if (wide) {
      entry = 'wide_vec4';
      name = `wide-vec4 ${wgX}x${wgY}`;
    } else if (v.kernel === 'tiled') {
      entry = 'tiled';
      constants.BK = bk;
      name = `tiled ${wgX}x${wgY} k${bk}`;
    } else {
      const vec4 = v.kernel === 'blocked' && v.vec4 !== false && vec4Aligned(s, d);
      entry = vec4 ? 'blocked_vec4' : 'blocked';
      name = `${vec4 ? 'blocked-vec4' : 'blocked-scalar'} ${wgX}x${wgY}`;
    }
  }
  const pipeline = await ctx.pipelines.compute(matmulWgsl, entry, constants, 'matmul');
  const params = createParams(ctx, 'matmul.params', [
    ['u32', s.M],
    ['u32', s.N],
    ['u32', s.K],
    ['u32', s.batch],
    ['u32', d.strideA],
    ['u32', d.strideB],
    ['u32', d.strideC],
    ['f32', s.alpha ?? 1],
    ['u32', d.offsetA],
    ['u32', d.offsetB],
    ['u32', d.offsetC],
    ['u32', s.accumulate ? 1 : 0],
    ['u32', tilesN],
    ['u32', tilesM],
  ]);
  // An unused bias binding still needs a buffer; it is never read when BIAS = 0.
  const bind = bindBuffers(
    ctx,
    pipeline,
    [bufs.a, bufs.b, bufs.c, bufs.bias ?? bufs.a, params.buffer],
    'matmul',
  );
  return {
    encode: (enc) => encodePass(enc, pipeline, bind, groups, 'matmul'),
    destroy: () => params.buffer.destroy(),
    variant: name,
  };
}

interface Dense {
  strideA: number;
  strideB: number;
  strideC: number;
  offsetA: number;
  offsetB: number;
  offsetC: number;
}

function dense(s: MatmulShape): Dense {
  return {
    strideA: s.strideA ?? s.M * s.K,
    strideB: s.strideB ?? s.K * s.N,
    strideC: s.strideC ?? s.M * s.N,
    offsetA: s.offsetA ?? 0,
    offsetB: s.offsetB ?? 0,
    offsetC: s.offsetC ?? 0,
  };
}

/**
 * vec4 loads need every vec4 to start on a multiple of 4 elements: the dimension A and B run
 * along in memory (K or M for A, N or K for B), their offsets and batch strides.
 */
export function vec4Aligned(s: MatmulShape, d: Dense = dense(s)): boolean {
  const runA = s.transA ? s.M : s.K;
  const runB = s.transB ? s.K : s.N;
  // K = 0 reads nothing, so A and B may be smaller than one vec4 (too small to bind as vec4).
  return s.K > 0 && [runA, runB, d.offsetA, d.offsetB, d.strideA, d.strideB].every((x) => x % 4 === 0);
}

/**
 * Each matrix must fit one storage binding (the shader indexes it with u32 elements), and the
 * given buffers must hold what the shape addresses (out-of-range reads would silently clamp).
 */
function checkExtents(ctx: GpuContext, s: MatmulShape, d: Dense, bufs: MatmulBuffers, biasMode: number) {
  const lower = 'the batch size or the point count';
  const span = (offset: number, stride: number, size: number) => 4 * (offset + stride * (s.batch - 1) + size);
  const need: [string, number, GPUBuffer | undefined][] = [
    [
      `matmul A [${s.batch}, ${s.transA ? `${s.K}, ${s.M}` : `${s.M}, ${s.K}`}]`,
      span(d.offsetA, d.strideA, s.M * s.K),
      bufs.a,
    ],
    [
      `matmul B [${s.batch}, ${s.transB ? `${s.N}, ${s.K}` : `${s.K}, ${s.N}`}]`,
      span(d.offsetB, d.strideB, s.K * s.N),
      bufs.b,
    ],
    [`matmul C [${s.batch}, ${s.M}, ${s.N}]`, span(d.offsetC, d.strideC, s.M * s.N), bufs.c],
  ];
  if (biasMode) need.push(['matmul bias', 4 * (biasMode === 1 ? s.M : s.N), bufs.bias]);
  for (const [what, bytes] of need) checkBufferSize(ctx.limits, bytes, what, lower);
  for (const [what, bytes, buf] of need) {
    if (buf && buf.size < bytes)
      throw new Error(`planMatmul: ${what} needs ${bytes} bytes but its buffer has ${buf.size}`);
  }
}

function checkWorkgroup(l: EngineLimits, kernel: string, wgX: number, wgY: number, bk: number) {
  const lower = 'the matmul workgroup size (variant wgX, wgY, bk)';
  const what = `matmul ${kernel} ${wgX}x${wgY}`;
  checkLimit(l, 'maxComputeWorkgroupSizeX', wgX, what, lower);
  checkLimit(l, 'maxComputeWorkgroupSizeY', wgY, what, lower);
  checkLimit(l, 'maxComputeInvocationsPerWorkgroup', wgX * wgY, what, lower);
  if (kernel === 'tiled' && !(bk >= 4 && bk % 4 === 0))
    throw new Error(`planMatmul: tiled bk must be a multiple of 4 (got ${bk})`);
  if (kernel === 'tiled') checkLimit(l, 'maxComputeWorkgroupStorageSize', 16 * bk * (wgX + wgY), what, lower);
}

/** `total` workgroups numbered linearly, spread over x, then y, then z so no dimension exceeds the limit. */
export function foldGrid(l: EngineLimits, total: number): [number, number, number] {
  const max = l.maxComputeWorkgroupsPerDimension;
  const x = Math.min(Math.max(1, total), max);
  const rest = Math.ceil(total / x);
  const y = Math.min(Math.max(1, rest), max);
  const z = Math.ceil(rest / y);
  if (z > max) {
    throw new GpuLimitError('maxComputeWorkgroupsPerDimension', total, max ** 3, 'the batch size', 'matmul');
  }
  return [x, y, Math.max(1, z)];
}

/** The naive grid is (N/16, M/16, batch); each must fit maxComputeWorkgroupsPerDimension. */
function checkGrid(ctx: GpuContext, s: MatmulShape) {
  const l = ctx.limits;
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', Math.ceil(s.M / 16), 'matmul rows', 'the batch size');
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', Math.ceil(s.N / 16), 'matmul columns', 'the point count');
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', s.batch, 'matmul batch', 'the batch size');
}
