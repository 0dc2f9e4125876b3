import edgeconvWgsl from '../../shaders/edgeconv.wgsl?raw';
import { BufferArena } from '../gpu/arena';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { createParams, paramsBytes } from '../gpu/params';
import { BN_EPS, BN_MOMENTUM, type BnMode, type EdgeConvDims } from './edgeconv-dims';
import { planMatmul } from './matmul';
import { type ScratchSpec, scratchSize, words } from './scratch';

/**
 * EdgeConv as one fused layer (shaders/edgeconv.wgsl): conv 1×1 on [x_j − x_i ; x_i] → BatchNorm2d
 * over all B·N·k edges → LeakyReLU(0.2) → max over the k neighbours, without the B×2C×N×k edge
 * tensor (DESIGN.md §3). Memory is O(B·N·(Cout + k)) instead of O(B·N·k·C).
 *
 * Layouts: a "slice" tensor [B, ch, N] lives in a bigger buffer at element
 * `offset + b·batchStride + c·N + n` (e.g. DGCNN's [B, 512, N] concat buffer); offsets and strides
 * default to a dense tensor.
 */
export interface EdgeConvShape extends EdgeConvDims {
  /** x (and by default dx): offset and batch stride in elements. */
  inOffset?: number;
  inBatchStride?: number;
  /** y (and by default dy). */
  outOffset?: number;
  outBatchStride?: number;
  dxOffset?: number;
  dxBatchStride?: number;
  dyOffset?: number;
  dyBatchStride?: number;
  /** dx += ... instead of dx = ... (the input also feeds another consumer). */
  accumulateDx?: boolean;
}

/**
 * The caller owns every buffer here; the plan owns its scratch (see EdgeConvOp.bytes).
 * encodeForward reads x, idx, weight, gamma, beta and writes y, argslot (and, in training mode,
 * runningMean and runningVar in place). encodeBackward must follow an encodeForward of the same
 * plan with x, idx and weight unchanged in between (it reuses the forward's P, Q and statistics,
 * including the γ and β the forward saw); it writes dx (or adds to it), and overwrites dWeight,
 * dGamma, dBeta. The backward buffers may be left out for a forward-only plan, which then
 * allocates no backward scratch.
 */
export interface EdgeConvBuffers {
  x: GPUBuffer; // [B, C, N] slice
  idx: GPUBuffer; // [B, N, k] i32, values in [0, N) (kNN: nearest first, self included)
  weight: GPUBuffer; // [Cout, 2C] (PyTorch [Cout, 2C, 1, 1])
  gamma: GPUBuffer; // [Cout]
  beta: GPUBuffer; // [Cout]
  runningMean: GPUBuffer; // [Cout]
  runningVar: GPUBuffer; // [Cout]
  y: GPUBuffer; // [B, Cout, N] slice
  argslot: GPUBuffer; // [B, Cout, N] i32 dense, the winning slot 0..k−1
  dy?: GPUBuffer; // [B, Cout, N] slice
  dx?: GPUBuffer; // [B, C, N] slice
  dWeight?: GPUBuffer; // [Cout, 2C]
  dGamma?: GPUBuffer; // [Cout]
  dBeta?: GPUBuffer; // [Cout]
}

export interface EdgeConvOp {
  /** Bytes of GPU memory the plan allocated (scratch and uniforms), not counting the caller's buffers. */
  readonly bytes: number;
  /** Per channel [Cout, 8]: mean, var (biased), 1/σ, γ, β, and backward coefficients A, c1, c2. */
  readonly stats: GPUBuffer;
  encodeForward(enc: GPUCommandEncoder, mode: BnMode): void;
  encodeBackward(enc: GPUCommandEncoder, mode?: BnMode): void;
  destroy(): void;
}

const WG = 64;
const WG_CHANNEL = 64;
/** Points per partial sum of the BN statistics (the shader's override CH takes this value). */
const CH = 64;
const LOWER = 'the batch size, the point count or k';
/** Fields of the uniform block (struct Params in shaders/edgeconv.wgsl). */
const PARAM_FIELDS = 16;

/**
 * What planEdgeConv allocates for itself (EdgeConvOp.bytes is their sum): Wcat [2O, C], PQ
 * [B, 2O, N], the statistics partials [O, chunks, 2], stats [O, 8] and its uniform block; with
 * the backward also the reverse adjacency, dz [B, O, N], dPQ [B, 2O, N] and the per-cloud
 * weight gradients G [B, 2O, C].
 */
export function edgeConvScratch(d: EdgeConvDims, backward: boolean): ScratchSpec[] {
  const { B, N, C, Cout: O } = d;
  const chunks = Math.ceil((B * N) / CH);
  const specs = [
    words('wcat', 2 * O * C),
    words('pq', B * 2 * O * N),
    words('partial', O * chunks * 2),
    words('stats', O * 8),
    { name: 'params', bytes: paramsBytes(PARAM_FIELDS) },
  ];
  if (!backward) return specs;
  return [
    ...specs,
    ...reverseAdjacencyScratch(d),
    words('dz', B * O * N),
    words('dpq', B * 2 * O * N),
    words('g', B * 2 * O * C),
  ];
}

/** planReverseAdjacency's buffers: deg [B, N], adj [B, N+1] + [B, N·k], and its uniform block. */
export function reverseAdjacencyScratch(d: { B: number; N: number; k: number }): ScratchSpec[] {
  const { B, N, k } = d;
  return [
    words('deg', B * N),
    words('adj', B * (N + 1) + B * N * k),
    { name: 'adj.params', bytes: paramsBytes(PARAM_FIELDS) },
  ];
}

/** The uniform of shaders/edgeconv.wgsl, field for field. */
export interface EdgeConvParams {
  B: number;
  N: number;
  k: number;
  C: number;
  O: number;
  chunks: number;
  yOff: number;
  yBS: number;
  dyOff: number;
  dyBS: number;
  listBase: number;
}

export function createEdgeConvParams(ctx: GpuContext, label: string, v: EdgeConvParams) {
  const n = v.B * v.N * v.k;
  return createParams(ctx, label, [
    ['u32', v.B],
    ['u32', v.N],
    ['u32', v.k],
    ['u32', v.C],
    ['u32', v.O],
    ['u32', v.chunks],
    ['u32', v.yOff],
    ['u32', v.yBS],
    ['u32', v.dyOff],
    ['u32', v.dyBS],
    ['u32', v.listBase],
    ['f32', 1 / n],
    ['f32', n > 1 ? n / (n - 1) : 0],
    ['f32', BN_EPS],
    ['f32', BN_MOMENTUM],
    ['u32', 0],
  ]);
}

export function edgeconvPipeline(ctx: GpuContext, entry: string, constants: Record<string, number> = {}) {
  return ctx.pipelines.compute(edgeconvWgsl, entry, { WG, CH, ...constants }, 'edgeconv');
}

/** Elements a slice tensor [B, ch, N] at (offset, batchStride) spans; throws when `buf` is too small. */
export function checkSlice(
  buf: GPUBuffer,
  name: string,
  B: number,
  ch: number,
  N: number,
  off: number,
  bs: number,
) {
  if (bs < ch * N && B > 1) throw new Error(`edgeconv: ${name} batch stride ${bs} < ${ch}·${N}`);
  const need = (off + (B - 1) * bs + ch * N) * 4;
  if (buf.size < need) throw new Error(`edgeconv: ${name} holds ${buf.size} bytes, needs ${need}`);
}

export interface ReverseAdjacency {
  /** [B, N+1] row starts, then at `listBase` the [B, N·k] in-edge lists (edge id i·k + s, ascending). */
  readonly adj: GPUBuffer;
  readonly listBase: number;
  /** Bytes of its uniform buffer (its storage lives in the caller's arena). */
  readonly uniformBytes: number;
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * In-edges of every point from idx [B, N, k], built on the GPU in a fixed order (count with u32
 * atomics, scan, stable fill), so sums over them are deterministic. Buffers go into `arena`.
 */
export async function planReverseAdjacency(
  ctx: GpuContext,
  d: { B: number; N: number; k: number },
  idx: GPUBuffer,
  arena: BufferArena,
  prefix: string,
): Promise<ReverseAdjacency> {
  const { B, N, k } = d;
  checkLimit(
    ctx.limits,
    'maxComputeWorkgroupsPerDimension',
    B,
    'edgeconv adjacency (one group per cloud)',
    'the batch size',
  );
  const listBase = B * (N + 1);
  const size = (name: string) => scratchSize(reverseAdjacencyScratch(d), name);
  const deg = arena.alloc(`${prefix}.deg`, size('deg'), 'scratch'); // [B, N]
  const adj = arena.alloc(`${prefix}.adj`, size('adj'), 'scratch'); // [B, N+1] + [B, N·k]
  const params = createEdgeConvParams(ctx, `${prefix}.adj.params`, {
    B,
    N,
    k,
    C: 0,
    O: 0,
    chunks: 0,
    yOff: 0,
    yBS: 0,
    dyOff: 0,
    dyBS: 0,
    listBase,
  });
  const [count, scan, fill] = await Promise.all(
    ['adj_count', 'adj_scan', 'adj_fill'].map((e) => edgeconvPipeline(ctx, e)),
  );
  const u = params.buffer;
  const bCount = bindAt(
    ctx,
    count!,
    [
      [0, u],
      [4, idx],
      [15, deg],
    ],
    'edgeconv.adj_count',
  );
  const bScan = bindAt(
    ctx,
    scan!,
    [
      [0, u],
      [16, deg],
      [17, adj],
    ],
    'edgeconv.adj_scan',
  );
  const bFill = bindAt(
    ctx,
    fill!,
    [
      [0, u],
      [4, idx],
      [16, deg],
      [17, adj],
    ],
    'edgeconv.adj_fill',
  );
  const gCount = grid1D(ctx, Math.ceil((B * N * k) / WG));
  return {
    adj,
    listBase,
    uniformBytes: params.buffer.size,
    encode(enc) {
      enc.clearBuffer(deg);
      encodePass(enc, count!, bCount, gCount, 'edgeconv.adj_count');
      encodePass(enc, scan!, bScan, [B, 1, 1], 'edgeconv.adj_scan');
      encodePass(enc, fill!, bFill, [B, 1, 1], 'edgeconv.adj_fill');
    },
    destroy: () => params.buffer.destroy(),
  };
}

/** Offsets and batch strides (elements) of the four slice tensors, defaults applied. */
export interface EdgeConvSlices {
  inOff: number;
  inBS: number;
  outOff: number;
  outBS: number;
  dxOff: number;
  dxBS: number;
  dyOff: number;
  dyBS: number;
}

/** Phase 1 (both EdgeConv plans): the shape's integers, k against the points, and the slice layout. */
export function edgeConvSlices(s: EdgeConvShape, who: string): EdgeConvSlices {
  const { B, N, k, C, Cout: O } = s;
  if ([B, N, k, C, O].some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${who}: bad shape ${JSON.stringify(s)}`);
  }
  // Only k ≤ N: EdgeConv itself has no bound on k (the kNN that builds idx has, see knn-limits.ts).
  if (k > N) throw new Error(`${who}: ${N} points per cloud are fewer than k = ${k} neighbours`);
  const inOff = s.inOffset ?? 0;
  const inBS = s.inBatchStride ?? C * N;
  const outOff = s.outOffset ?? 0;
  const outBS = s.outBatchStride ?? O * N;
  return {
    inOff,
    inBS,
    outOff,
    outBS,
    dxOff: s.dxOffset ?? inOff,
    dxBS: s.dxBatchStride ?? inBS,
    dyOff: s.dyOffset ?? outOff,
    dyBS: s.dyBatchStride ?? outBS,
  };
}

/** Phase 1 (both plans): every caller buffer spans its slice; the backward needs all its buffers. */
export function checkEdgeConvBuffers(
  who: string,
  s: EdgeConvShape,
  l: EdgeConvSlices,
  bufs: EdgeConvBuffers,
) {
  const { B, N, C, Cout: O } = s;
  checkSlice(bufs.x, 'x', B, C, N, l.inOff, l.inBS);
  checkSlice(bufs.y, 'y', B, O, N, l.outOff, l.outBS);
  if (bufs.dy === undefined) return false;
  for (const name of ['dx', 'dWeight', 'dGamma', 'dBeta'] as const) {
    if (!bufs[name]) throw new Error(`${who}: dy given but not ${name}`);
  }
  checkSlice(bufs.dy, 'dy', B, O, N, l.dyOff, l.dyBS);
  checkSlice(bufs.dx!, 'dx', B, C, N, l.dxOff, l.dxBS);
  return true;
}

/** A planned pass sequence: what encodes it, and what it owns besides the plan's arena. */
interface Phase<A extends unknown[]> {
  encode(enc: GPUCommandEncoder, ...args: A): void;
  destroy(): void;
}

/** What the forward and backward phases share: the plan's own buffers and uniform. */
interface FusedScratch {
  /** [2O, C] = [Wa ; Wb − Wa] */
  wcat: GPUBuffer;
  /** [B, 2O, N] = Wcat · X per cloud */
  pq: GPUBuffer;
  /** [O, chunks, 2] per-workgroup sums */
  partial: GPUBuffer;
  /** [O, 8] per-channel statistics and backward coefficients */
  stats: GPUBuffer;
  params: GPUBuffer;
  chunks: number;
}

/** Phase 2: the scratch of edgeConvScratch, allocated in the plan's arena, and the uniform block. */
function allocateFused(
  ctx: GpuContext,
  s: EdgeConvShape,
  l: EdgeConvSlices,
  arena: BufferArena,
  backward: boolean,
  listBase: number,
): FusedScratch {
  const { B, N, k, C, Cout: O } = s;
  const size = (name: string) => scratchSize(edgeConvScratch(s, backward), name);
  const chunks = Math.ceil((B * N) / CH);
  const params = createEdgeConvParams(ctx, 'edgeconv.params', {
    B,
    N,
    k,
    C,
    O,
    chunks,
    yOff: l.outOff,
    yBS: l.outBS,
    dyOff: l.dyOff,
    dyBS: l.dyBS,
    listBase,
  });
  return {
    wcat: arena.alloc('edgeconv.wcat', size('wcat'), 'weights'),
    pq: arena.alloc('edgeconv.pq', size('pq'), 'activations'),
    partial: arena.alloc('edgeconv.partial', size('partial'), 'scratch'),
    stats: arena.alloc('edgeconv.stats', size('stats'), 'scratch'),
    params: params.buffer,
    chunks,
  };
}

/**
 * Phase 3, the forward: Wcat from W, PQ = Wcat·X (matmul), the BN statistics (training: two
 * two-pass reductions; eval: the running ones), then one thread per output for the max.
 */
async function planFusedForward(
  ctx: GpuContext,
  s: EdgeConvShape,
  l: EdgeConvSlices,
  bufs: EdgeConvBuffers,
  f: FusedScratch,
): Promise<Phase<[BnMode]>> {
  const { B, N, C, Cout: O } = s;
  const u = f.params;
  const [prepW, stats0, stats1, statsMean, statsVar, statsEval, fwdMax] = await Promise.all([
    edgeconvPipeline(ctx, 'prep_w'),
    edgeconvPipeline(ctx, 'stats_partial', { MODE: 0 }),
    edgeconvPipeline(ctx, 'stats_partial', { MODE: 1 }),
    edgeconvPipeline(ctx, 'stats_mean'),
    edgeconvPipeline(ctx, 'stats_var'),
    edgeconvPipeline(ctx, 'stats_eval'),
    edgeconvPipeline(ctx, 'fwd_max'),
  ]);
  const mmPQ = await planMatmul(
    ctx,
    { batch: B, M: 2 * O, N, K: C, strideA: 0, offsetB: l.inOff, strideB: l.inBS, strideC: 2 * O * N },
    { a: f.wcat, b: bufs.x, c: f.pq },
  );
  const bPrep = bindAt(ctx, prepW, [
    [0, u],
    [1, bufs.weight],
    [2, f.wcat],
  ]);
  const statsBind: [number, GPUBuffer][] = [
    [0, u],
    [3, f.pq],
    [4, bufs.idx],
    [5, f.partial],
    [6, f.stats],
  ];
  const bStats0 = bindAt(ctx, stats0, statsBind);
  const bStats1 = bindAt(ctx, stats1, statsBind);
  const bMean = bindAt(ctx, statsMean, [
    [0, u],
    [5, f.partial],
    [6, f.stats],
  ]);
  const running: [number, GPUBuffer][] = [
    [7, bufs.gamma],
    [8, bufs.beta],
    [9, bufs.runningMean],
    [10, bufs.runningVar],
  ];
  const bVar = bindAt(ctx, statsVar, [[0, u], [5, f.partial], [6, f.stats], ...running]);
  const bEval = bindAt(ctx, statsEval, [[0, u], [6, f.stats], ...running]);
  const bMax = bindAt(ctx, fwdMax, [
    [0, u],
    [3, f.pq],
    [4, bufs.idx],
    [6, f.stats],
    [11, bufs.y],
    [12, bufs.argslot],
  ]);
  const gPrep = grid1D(ctx, Math.ceil((O * C) / WG));
  const gOut = grid1D(ctx, Math.ceil((B * O * N) / WG));
  const gChan = [Math.ceil(O / WG_CHANNEL), 1, 1];
  const gStats = grid1D(ctx, Math.ceil((O * f.chunks) / WG));
  return {
    encode(enc, mode) {
      encodePass(enc, prepW, bPrep, gPrep, 'edgeconv.prep_w');
      mmPQ.encode(enc);
      if (mode === 'train') {
        encodePass(enc, stats0, bStats0, gStats, 'edgeconv.stats_partial');
        encodePass(enc, statsMean, bMean, gChan, 'edgeconv.stats_mean');
        encodePass(enc, stats1, bStats1, gStats, 'edgeconv.stats_partial');
        encodePass(enc, statsVar, bVar, gChan, 'edgeconv.stats_var');
      } else {
        encodePass(enc, statsEval, bEval, gChan, 'edgeconv.stats_eval');
      }
      encodePass(enc, fwdMax, bMax, gOut, 'edgeconv.fwd_max');
    },
    destroy: () => mmPQ.destroy(),
  };
}

/**
 * Phase 4, the backward: the reverse adjacency, dz on the winners and the dγ/dβ sums, the BN
 * coefficients, dPQ by gathering in-edges, then dx = Wcatᵀ·dPQ and dW from G = dPQ·Xᵀ per cloud.
 */
async function planFusedBackward(
  ctx: GpuContext,
  s: EdgeConvShape,
  l: EdgeConvSlices,
  bufs: EdgeConvBuffers,
  f: FusedScratch,
  arena: BufferArena,
  adjacency: ReverseAdjacency,
): Promise<Phase<[BnMode]>> {
  const { B, N, C, Cout: O } = s;
  const u = f.params;
  const size = (name: string) => scratchSize(edgeConvScratch(s, true), name);
  const dz = arena.alloc('edgeconv.dz', size('dz'), 'grads'); // [B, O, N]
  const dpq = arena.alloc('edgeconv.dpq', size('dpq'), 'grads'); // [B, 2O, N]
  const g = arena.alloc('edgeconv.g', size('g'), 'grads'); // [B, 2O, C]
  const [bwdReduce, finalTrain, finalEval, bwdDpq, dwCombine] = await Promise.all([
    edgeconvPipeline(ctx, 'bwd_reduce'),
    edgeconvPipeline(ctx, 'bwd_final', { TRAIN: 1 }),
    edgeconvPipeline(ctx, 'bwd_final', { TRAIN: 0 }),
    edgeconvPipeline(ctx, 'bwd_dpq'),
    edgeconvPipeline(ctx, 'dw_combine'),
  ]);
  const mmDx = await planMatmul(
    ctx,
    {
      batch: B,
      M: C,
      N,
      K: 2 * O,
      transA: true,
      strideA: 0,
      strideB: 2 * O * N,
      offsetC: l.dxOff,
      strideC: l.dxBS,
      accumulate: s.accumulateDx ?? false,
    },
    { a: f.wcat, b: dpq, c: bufs.dx! },
  );
  const mmG = await planMatmul(
    ctx,
    {
      batch: B,
      M: 2 * O,
      N: C,
      K: N,
      transB: true,
      strideA: 2 * O * N,
      offsetB: l.inOff,
      strideB: l.inBS,
      strideC: 2 * O * C,
    },
    { a: dpq, b: bufs.x, c: g },
  );
  const bReduce = bindAt(ctx, bwdReduce, [
    [0, u],
    [3, f.pq],
    [4, bufs.idx],
    [5, f.partial],
    [6, f.stats],
    [12, bufs.argslot],
    [13, bufs.dy!],
    [14, dz],
  ]);
  const finalBind: [number, GPUBuffer][] = [
    [0, u],
    [5, f.partial],
    [6, f.stats],
    [21, bufs.dGamma!],
    [22, bufs.dBeta!],
  ];
  const bFinalTrain = bindAt(ctx, finalTrain, finalBind);
  const bFinalEval = bindAt(ctx, finalEval, finalBind);
  const bDpq = bindAt(ctx, bwdDpq, [
    [0, u],
    [3, f.pq],
    [4, bufs.idx],
    [6, f.stats],
    [12, bufs.argslot],
    [14, dz],
    [17, adjacency.adj],
    [18, dpq],
  ]);
  const bDw = bindAt(ctx, dwCombine, [
    [0, u],
    [19, g],
    [20, bufs.dWeight!],
  ]);
  const gOut = grid1D(ctx, Math.ceil((B * O * N) / WG));
  const gChan = [Math.ceil(O / WG_CHANNEL), 1, 1];
  const gStats = grid1D(ctx, Math.ceil((O * f.chunks) / WG));
  const gDw = grid1D(ctx, Math.ceil((O * 2 * C) / WG));
  return {
    encode(enc, mode) {
      adjacency.encode(enc);
      encodePass(enc, bwdReduce, bReduce, gStats, 'edgeconv.bwd_reduce');
      if (mode === 'train') encodePass(enc, finalTrain, bFinalTrain, gChan, 'edgeconv.bwd_final');
      else encodePass(enc, finalEval, bFinalEval, gChan, 'edgeconv.bwd_final');
      encodePass(enc, bwdDpq, bDpq, gOut, 'edgeconv.bwd_dpq');
      mmDx.encode(enc);
      mmG.encode(enc);
      encodePass(enc, dwCombine, bDw, gDw, 'edgeconv.dw_combine');
    },
    destroy() {
      adjacency.destroy();
      mmDx.destroy();
      mmG.destroy();
    },
  };
}

/**
 * Plans the fused EdgeConv over fixed buffers: compiles, allocates scratch and binds once. Phases:
 * shape and buffer checks, scratch, the forward passes, the backward passes (with dy).
 */
export async function planEdgeConv(
  ctx: GpuContext,
  s: EdgeConvShape,
  bufs: EdgeConvBuffers,
): Promise<EdgeConvOp> {
  const { B, N, k, Cout: O } = s;
  const slices = edgeConvSlices(s, 'planEdgeConv');
  const l = ctx.limits;
  // The largest scratch first, so an oversized layer is refused with the setting to lower.
  checkBufferSize(l, B * 2 * O * N * 4, 'EdgeConv scratch P/Q [B, 2·Cout, N]', LOWER);
  checkLimit(
    l,
    'maxStorageBuffersPerShaderStage',
    7,
    'edgeconv backward',
    'nothing (the adapter is too small)',
  );
  const backward = checkEdgeConvBuffers('planEdgeConv', s, slices, bufs);

  const arena = new BufferArena(ctx, LOWER);
  // The adjacency first: its listBase goes into the uniform the other phases share.
  const adjacency = backward ? await planReverseAdjacency(ctx, s, bufs.idx, arena, 'edgeconv') : undefined;
  const scratch = allocateFused(ctx, s, slices, arena, backward, adjacency?.listBase ?? 0);
  const forward = await planFusedForward(ctx, s, slices, bufs, scratch);
  const backwardPhase = adjacency
    ? await planFusedBackward(ctx, s, slices, bufs, scratch, arena, adjacency)
    : undefined;

  const n = B * N * k;
  return {
    bytes: arena.totalBytes + scratch.params.size + (adjacency?.uniformBytes ?? 0),
    stats: scratch.stats,
    encodeForward(enc, mode) {
      if (mode === 'train' && n < 2) {
        throw new Error('edgeconv: training-mode BatchNorm needs more than one edge per channel');
      }
      forward.encode(enc, mode);
    },
    encodeBackward(enc, mode = 'train') {
      if (!backwardPhase) {
        throw new Error('planEdgeConv: planned without backward buffers (dy, dx, dWeight, dGamma, dBeta)');
      }
      backwardPhase.encode(enc, mode);
    },
    destroy() {
      scratch.params.destroy();
      forward.destroy();
      backwardPhase?.destroy();
      arena.destroy();
    },
  };
}
