import { BufferArena } from '../gpu/arena';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { paramsBytes } from '../gpu/params';
import { bindEdgeConvBnFinal, bindEdgeConvBnStats } from './edgeconv-bn';
import { planReverseAdjacency, type ReverseAdjacency, reverseAdjacencyScratch } from './edgeconv-adjacency';
import type { BnMode, EdgeConvDims } from './edgeconv-dims';
import { CH, createEdgeConvParams, edgeconvPipeline, PARAM_FIELDS, WG, WG_CHANNEL } from './edgeconv-params';
import {
  assembleEdgeConvOp,
  checkEdgeConvBuffers,
  type EdgeConvBuffers,
  type EdgeConvOp,
  type EdgeConvShape,
  type EdgeConvSlices,
  edgeConvSlices,
} from './edgeconv-shape';
import { planWcatBackward, planWcatForward } from './edgeconv-wcat';
import { type ScratchSpec, scratchSize, words } from './scratch';

// EdgeConv fused (shaders/edgeconv.wgsl): the plan and its phases. The types both EdgeConv plans
// share are in edgeconv-shape.ts, the reverse adjacency in edgeconv-adjacency.ts, the shader's
// uniform and pipelines in edgeconv-params.ts.
export type { EdgeConvBuffers, EdgeConvOp, EdgeConvShape } from './edgeconv-shape';

const LOWER = 'the batch size, the point count or k';

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
    momentum: s.momentum,
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
  const wcat = await planWcatForward(
    ctx,
    { B, N, C, R: O },
    l,
    { pipeline: prepW, uniform: u, WG, label: 'edgeconv' },
    { weight: bufs.weight, wcat: f.wcat, x: bufs.x, pq: f.pq },
  );
  const bMax = bindAt(ctx, fwdMax, [
    [0, u],
    [3, f.pq],
    [4, bufs.idx],
    [6, f.stats],
    [11, bufs.y],
    [12, bufs.argslot],
  ]);
  const gOut = grid1D(ctx, Math.ceil((B * O * N) / WG));
  const grids = {
    partials: grid1D(ctx, Math.ceil((O * f.chunks) / WG)),
    channels: [Math.ceil(O / WG_CHANNEL), 1, 1],
  };
  const bn = bindEdgeConvBnStats(
    ctx,
    { partial0: stats0, partial1: stats1, mean: statsMean, variance: statsVar, running: statsEval },
    f,
    [
      [3, f.pq],
      [4, bufs.idx],
    ],
    bufs,
    grids,
    'edgeconv',
  );
  return {
    encode(enc, mode) {
      wcat.encode(enc);
      bn.encode(enc, mode);
      encodePass(enc, fwdMax, bMax, gOut, 'edgeconv.fwd_max');
    },
    destroy: () => wcat.destroy(),
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
  const wcat = await planWcatBackward(
    ctx,
    { B, N, C, R: O },
    l,
    s.accumulateDx ?? false,
    { pipeline: dwCombine, uniform: u, WG, label: 'edgeconv' },
    { wcat: f.wcat, dpq, x: bufs.x, dx: bufs.dx!, g, dWeight: bufs.dWeight! },
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
  const gChan = [Math.ceil(O / WG_CHANNEL), 1, 1];
  const bnFinal = bindEdgeConvBnFinal(
    ctx,
    { train: finalTrain, eval: finalEval },
    f,
    bufs,
    gChan,
    'edgeconv',
  );
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
  const gOut = grid1D(ctx, Math.ceil((B * O * N) / WG));
  const gStats = grid1D(ctx, Math.ceil((O * f.chunks) / WG));
  return {
    encode(enc, mode) {
      adjacency.encode(enc);
      encodePass(enc, bwdReduce, bReduce, gStats, 'edgeconv.bwd_reduce');
      bnFinal.encode(enc, mode);
      encodePass(enc, bwdDpq, bDpq, gOut, 'edgeconv.bwd_dpq');
      wcat.encode(enc);
    },
    destroy() {
      adjacency.destroy();
      wcat.destroy();
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

  const op = { arena, scratch, adjacency, edges: B * N * k, forward, backward: backwardPhase };
  return assembleEdgeConvOp(
    op,
    'planEdgeConv: planned without backward buffers (dy, dx, dWeight, dGamma, dBeta)',
  );
}
