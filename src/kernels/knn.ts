import knnWgsl from '../../shaders/knn.wgsl?raw';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { GpuLimitError } from '../gpu/errors';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { type ScratchSpec, scratchSize } from './scratch';
import { KNN_MAX_K, KNN_MAX_POINTS, KNN_MAX_SPLITS, kProblem, validateK } from './knn-limits';
import { SHADER_CONSTANTS } from './shader-constants';

export { KNN_MAX_K, KNN_MAX_POINTS, KNN_MAX_SPLITS, kProblem, validateK };

const WG = 64; // queries per workgroup
const TILE = SHADER_CONSTANTS.KNN_TILE; // candidates per staged tile
const TILE_BYTES = SHADER_CONSTANTS.KNN_CHANNEL_CHUNK * TILE * 4; // the workgroup tile [CCH, TILE] f32

/**
 * kNN of each point within its cloud. x is [B, C, N] (channel-major) starting at element `offset`
 * of its buffer, clouds `batchStride` elements apart (default C·N), so a channel slice of a
 * [B, Ctotal, N] concatenation is read in place (offset = c0·N, batchStride = Ctotal·N).
 */
export interface KnnShape {
  B: number;
  N: number;
  C: number;
  k: number;
  batchStride?: number;
  offset?: number;
  /**
   * Candidate splits per query (1..16): each split scans N/splits candidates in its own
   * workgroup and a merge pass combines the partial lists. Default: defaultKnnSplits().
   */
  splits?: number;
}

export interface KnnBuffers {
  /** [B, C, N] f32 inside a possibly larger buffer (see KnnShape). */
  x: GPUBuffer;
  /** [B, N, k] u32: indices within the cloud (0..N−1), nearest first; also valid read as i32. */
  idx: GPUBuffer;
}

export interface KnnOp {
  /** The number of candidate splits planned (1 = a single pass, no scratch). */
  readonly splits: number;
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * Splits that give roughly 64k query threads on a discrete GPU; 1 on a CPU emulation
 * (SwiftShader), where B·N/64 workgroups already occupy every core and a merge pass only costs.
 */
export function defaultKnnSplits(ctx: GpuContext, B: number, N: number): number {
  const a = ctx.adapter;
  const cpu = a.isFallbackAdapter || /swiftshader|llvmpipe/i.test(`${a.vendor} ${a.device} ${a.description}`);
  return cpu ? 1 : knnSplitsOnDiscreteGpu(B, N);
}

/** The splits defaultKnnSplits picks on a discrete GPU (`crosspoint plan` reports that case). */
export function knnSplitsOnDiscreteGpu(B: number, N: number): number {
  const want = Math.floor(65536 / Math.max(1, B * N));
  // Keep at least 4 tiles of candidates per split so the merge stays cheap next to the scan.
  const most = Math.max(1, Math.floor(N / (4 * TILE)));
  return Math.max(1, Math.min(KNN_MAX_SPLITS, want, most));
}

/** Candidates per split (whole tiles) and the splits that leaves: rounding can give fewer than asked. */
export function knnSplitLayout(N: number, wanted: number): { splitLen: number; splits: number } {
  const splitLen = Math.ceil(Math.ceil(N / wanted) / TILE) * TILE;
  return { splitLen, splits: Math.ceil(N / splitLen) };
}

/**
 * What planKnn allocates for itself beyond its uniform and stub: with more than one split, the
 * merge scratch, distances and indices [splits, k, B·N] each.
 */
export function knnScratch(d: { B: number; N: number; k: number }, wantedSplits: number): ScratchSpec[] {
  const { splits } = knnSplitLayout(d.N, wantedSplits);
  if (splits <= 1) return [];
  const bytes = splits * d.k * d.B * d.N * 4;
  return [
    { name: 'partIdx', bytes },
    { name: 'partDist', bytes },
  ];
}

/** Checks a kNN request; throws GpuLimitError for requests beyond the kernel or the adapter. */
export function checkKnnShape(ctx: GpuContext, s: KnnShape): void {
  for (const [name, v] of Object.entries({ B: s.B, N: s.N, C: s.C })) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`planKnn: ${name} must be a positive integer, got ${v}`);
  }
  // Over the kernel's maximum is an adapter-style limit (GpuLimitError names the setting).
  if (Number.isInteger(s.k) && s.k > KNN_MAX_K) {
    throw new GpuLimitError(
      'kNN maximum k',
      s.k,
      KNN_MAX_K,
      'k (the neighbour count)',
      'kNN neighbours per point',
    );
  }
  validateK(s.k, s.N, 'planKnn');
  if (s.N > KNN_MAX_POINTS) {
    throw new GpuLimitError('kNN maximum points', s.N, KNN_MAX_POINTS, 'the point count (--points)', 'kNN');
  }
  const l = ctx.limits;
  checkLimit(
    l,
    'maxComputeWorkgroupStorageSize',
    TILE_BYTES,
    'the kNN candidate tile',
    'nothing (fixed tile)',
  );
  checkLimit(l, 'maxComputeInvocationsPerWorkgroup', WG, 'the kNN workgroup', 'nothing (fixed size)');
  checkLimit(l, 'maxComputeWorkgroupSizeX', WG, 'the kNN workgroup', 'nothing (fixed size)');
  checkLimit(l, 'maxComputeWorkgroupsPerDimension', s.B, 'kNN clouds per dispatch', 'the batch size');
  checkLimit(l, 'maxStorageBuffersPerShaderStage', 3, 'the kNN passes', 'nothing (fixed bindings)');
}

/** Plans the kNN of `bufs.x` into `bufs.idx`; allocates the merge scratch when splits > 1. */
export async function planKnn(ctx: GpuContext, s: KnnShape, bufs: KnnBuffers): Promise<KnnOp> {
  checkKnnShape(ctx, s);
  const { B, N, C, k } = s;
  const batchStride = s.batchStride ?? C * N;
  const offset = s.offset ?? 0;
  const xNeeded = offset + (B - 1) * batchStride + C * N;
  if (bufs.x.size < xNeeded * 4) {
    throw new Error(`planKnn: x holds ${bufs.x.size / 4} floats but the shape reaches element ${xNeeded}`);
  }
  if (bufs.idx.size < B * N * k * 4) {
    throw new Error(`planKnn: idx holds ${bufs.idx.size / 4} indices, needs B·N·k = ${B * N * k}`);
  }
  checkBufferSize(ctx.limits, bufs.x.size, 'the kNN input binding', 'the batch size or the point count');
  checkBufferSize(ctx.limits, bufs.idx.size, 'the kNN index binding', 'the batch size or the point count');

  const wanted = s.splits ?? defaultKnnSplits(ctx, B, N);
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > KNN_MAX_SPLITS) {
    throw new Error(`planKnn: splits must be an integer in 1..${KNN_MAX_SPLITS}, got ${wanted}`);
  }
  const { splitLen, splits } = knnSplitLayout(N, wanted);

  const final = splits === 1;
  const topk = await ctx.pipelines.compute(knnWgsl, 'topk', { WG, FINAL: final ? 1 : 0 }, 'knn');
  const params = createParams(ctx, 'knn.params', [
    ['u32', N],
    ['u32', C],
    ['u32', k],
    ['u32', batchStride],
    ['u32', offset],
    ['u32', splitLen],
    ['u32', splits],
    ['u32', B],
  ]);
  const owned: GPUBuffer[] = [params.buffer];
  const topkGroups = [Math.ceil(N / WG), B, splits] as const;

  let encode: (enc: GPUCommandEncoder) => void;
  if (final) {
    // The auto layout keeps the partial-distance binding (used only when FINAL is false): bind a stub.
    const stub = ctx.device.createBuffer({ label: 'knn.stub', size: 16, usage: GPUBufferUsage.STORAGE });
    owned.push(stub);
    const bind = bindAt(
      ctx,
      topk,
      [
        [0, bufs.x],
        [1, bufs.idx],
        [2, stub],
        [3, params.buffer],
      ],
      'knn.topk',
    );
    encode = (enc) => encodePass(enc, topk, bind, topkGroups, 'knn.topk');
  } else {
    // Partial lists: dist and idx [S, k, B·N].
    const scratch = knnScratch(s, wanted);
    const lower = 'the batch size, the point count or k';
    checkBufferSize(ctx.limits, scratchSize(scratch, 'partIdx'), 'the kNN merge scratch', lower);
    const usage = GPUBufferUsage.STORAGE;
    const partIdx = ctx.device.createBuffer({
      label: 'knn.partIdx',
      size: scratchSize(scratch, 'partIdx'),
      usage,
    });
    const partDist = ctx.device.createBuffer({
      label: 'knn.partDist',
      size: scratchSize(scratch, 'partDist'),
      usage,
    });
    owned.push(partIdx, partDist);
    const merge = await ctx.pipelines.compute(knnWgsl, 'merge', { WG }, 'knn');
    const bindTopk = bindAt(
      ctx,
      topk,
      [
        [0, bufs.x],
        [1, partIdx],
        [2, partDist],
        [3, params.buffer],
      ],
      'knn.topk',
    );
    const bindMerge = bindAt(
      ctx,
      merge,
      [
        [1, bufs.idx],
        [3, params.buffer],
        [4, partIdx],
        [5, partDist],
      ],
      'knn.merge',
    );
    const mergeGroups = grid1D(ctx, Math.ceil((B * N) / WG));
    encode = (enc) => {
      encodePass(enc, topk, bindTopk, topkGroups, 'knn.topk');
      encodePass(enc, merge, bindMerge, mergeGroups, 'knn.merge');
    };
  }
  return {
    splits,
    encode,
    destroy: () => {
      for (const b of owned) b.destroy();
    },
  };
}
