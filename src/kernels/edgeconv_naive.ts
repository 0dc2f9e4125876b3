import naiveWgsl from '../../shaders/edgeconv_naive.wgsl?raw';
import { BufferArena } from '../gpu/arena';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { planReverseAdjacency, type ReverseAdjacency } from './edgeconv-adjacency';
import { bindEdgeConvBnFinal, bindEdgeConvBnStats } from './edgeconv-bn';
import {
  assembleEdgeConvOp,
  checkEdgeConvBuffers,
  type EdgeConvBuffers,
  type EdgeConvOp,
  type EdgeConvShape,
  type EdgeConvSlices,
  edgeConvSlices,
} from './edgeconv-shape';
import { BN_EPS, BN_MOMENTUM, type BnMode } from './edgeconv-dims';
import { planMatmul } from './matmul';

const WG = 256;
const WG_CHANNEL = 64;
const LOWER = 'the batch size, the point count or k';

/** The naive plan's own buffers and uniform, shared by its forward and backward phases. */
interface NaiveScratch {
  /** [B, 2C, N·k] the edge features [x_j − x_i ; x_i] */
  E: GPUBuffer;
  /** [B, O, N·k] the conv output (BN input) */
  Z: GPUBuffer;
  /** [B, O, N·k] the BN + LeakyReLU output */
  act: GPUBuffer;
  /** [O, chunks, 2] per-workgroup sums */
  partial: GPUBuffer;
  /** [O, 8] per-channel statistics and backward coefficients */
  stats: GPUBuffer;
  params: GPUBuffer;
  chunks: number;
}

type Pipe = (entry: string, c?: Record<string, number>) => Promise<GPUComputePipeline>;

/** Phase 2: the edge tensors and statistics in the plan's arena, and the uniform block. */
function allocateNaive(
  ctx: GpuContext,
  s: EdgeConvShape,
  l: EdgeConvSlices,
  arena: BufferArena,
  listBase: number,
): NaiveScratch {
  const { B, N, k, C, Cout: O } = s;
  const nk = N * k;
  const chunks = Math.ceil((B * nk) / WG);
  const n = B * nk;
  const params = createParams(ctx, 'naive.params', [
    ['u32', B],
    ['u32', N],
    ['u32', k],
    ['u32', C],
    ['u32', O],
    ['u32', chunks],
    ['u32', l.inOff],
    ['u32', l.inBS],
    ['u32', l.outOff],
    ['u32', l.outBS],
    ['u32', l.dyOff],
    ['u32', l.dyBS],
    ['u32', l.dxOff],
    ['u32', l.dxBS],
    ['u32', s.accumulateDx ? 1 : 0],
    ['u32', listBase],
    ['f32', 1 / n],
    ['f32', n > 1 ? n / (n - 1) : 0],
    ['f32', BN_EPS],
    ['f32', BN_MOMENTUM],
  ]);
  return {
    E: arena.alloc('naive.edges', B * 2 * C * nk * 4, 'activations'),
    Z: arena.alloc('naive.z', B * O * nk * 4, 'activations'),
    act: arena.alloc('naive.act', B * O * nk * 4, 'activations'),
    partial: arena.alloc('naive.partial', O * chunks * 2 * 4, 'scratch'),
    stats: arena.alloc('naive.stats', O * 8 * 4, 'scratch'),
    params: params.buffer,
    chunks,
  };
}

/** Phase 3, the forward: build E, Z = W·E (matmul), BN statistics, activate, max over k. */
async function planNaiveForward(
  ctx: GpuContext,
  s: EdgeConvShape,
  bufs: EdgeConvBuffers,
  f: NaiveScratch,
  pipe: Pipe,
): Promise<{ encode(enc: GPUCommandEncoder, mode: BnMode): void; destroy(): void }> {
  const { B, N, k, C, Cout: O } = s;
  const nk = N * k;
  const u = f.params;
  const [build, stats0, stats1, sMean, sVar, sEval, activate, maxK] = await Promise.all([
    pipe('build_edges'),
    pipe('stats_partial', { MODE: 0 }),
    pipe('stats_partial', { MODE: 1 }),
    pipe('stats_mean'),
    pipe('stats_var'),
    pipe('stats_eval'),
    pipe('activate'),
    pipe('max_k'),
  ]);
  const mmZ = await planMatmul(
    ctx,
    { batch: B, M: O, N: nk, K: 2 * C, strideA: 0, strideB: 2 * C * nk, strideC: O * nk },
    { a: bufs.weight, b: f.E, c: f.Z },
  );
  const bBuild = bindAt(ctx, build, [
    [0, u],
    [1, bufs.x],
    [2, bufs.idx],
    [3, f.E],
  ]);
  const bAct = bindAt(ctx, activate, [
    [0, u],
    [4, f.Z],
    [6, f.stats],
    [11, f.act],
  ]);
  const bMax = bindAt(ctx, maxK, [
    [0, u],
    [11, f.act],
    [12, bufs.y],
    [13, bufs.argslot],
  ]);
  const gEdges = grid1D(ctx, Math.ceil((B * 2 * C * nk) / WG));
  const gDense = grid1D(ctx, Math.ceil((B * O * nk) / WG));
  const gOut = grid1D(ctx, Math.ceil((B * O * N) / WG));
  const bn = bindEdgeConvBnStats(
    ctx,
    { partial0: stats0, partial1: stats1, mean: sMean, variance: sVar, running: sEval },
    f,
    [[4, f.Z]],
    bufs,
    { partials: [f.chunks, O, 1], channels: [Math.ceil(O / WG_CHANNEL), 1, 1] },
    'naive',
  );
  return {
    encode(enc, mode) {
      encodePass(enc, build, bBuild, gEdges, 'naive.build_edges');
      mmZ.encode(enc);
      bn.encode(enc, mode);
      encodePass(enc, activate, bAct, gDense, 'naive.activate');
      encodePass(enc, maxK, bMax, gOut, 'naive.max_k');
    },
    destroy: () => mmZ.destroy(),
  };
}

/**
 * Phase 4, the backward: dz on the winning edges and the dγ/dβ sums, the BN coefficients, dZ over
 * every edge, dE = Wᵀ·dZ, dx gathered over in-edges, dW from G = dZ·Eᵀ per cloud.
 */
async function planNaiveBackward(
  ctx: GpuContext,
  s: EdgeConvShape,
  bufs: EdgeConvBuffers,
  f: NaiveScratch,
  pipe: Pipe,
  arena: BufferArena,
  adjacency: ReverseAdjacency,
): Promise<{ encode(enc: GPUCommandEncoder, mode: BnMode): void; destroy(): void }> {
  const { B, N, k, C, Cout: O } = s;
  const nk = N * k;
  const u = f.params;
  const dZ = arena.alloc('naive.dz', B * O * nk * 4, 'grads'); // [B, O, Nk]
  const dE = arena.alloc('naive.dedges', B * 2 * C * nk * 4, 'grads'); // [B, 2C, Nk]
  const G = arena.alloc('naive.g', B * O * 2 * C * 4, 'grads'); // [B, O, 2C]
  const [reduce, finalTrain, finalEval, bwdDz, bwdDx, dwReduce] = await Promise.all([
    pipe('bwd_reduce'),
    pipe('bwd_final', { TRAIN: 1 }),
    pipe('bwd_final', { TRAIN: 0 }),
    pipe('bwd_dz'),
    pipe('bwd_dx'),
    pipe('dw_reduce'),
  ]);
  const mmDE = await planMatmul(
    ctx,
    { batch: B, M: 2 * C, N: nk, K: O, transA: true, strideA: 0, strideB: O * nk, strideC: 2 * C * nk },
    { a: bufs.weight, b: dZ, c: dE },
  );
  const mmG = await planMatmul(
    ctx,
    {
      batch: B,
      M: O,
      N: 2 * C,
      K: nk,
      transB: true,
      strideA: O * nk,
      strideB: 2 * C * nk,
      strideC: O * 2 * C,
    },
    { a: dZ, b: f.E, c: G },
  );
  const bReduce = bindAt(ctx, reduce, [
    [0, u],
    [4, f.Z],
    [5, f.partial],
    [6, f.stats],
    [13, bufs.argslot],
    [14, bufs.dy!],
  ]);
  const gChan = [Math.ceil(O / WG_CHANNEL), 1, 1];
  const bnFinal = bindEdgeConvBnFinal(ctx, { train: finalTrain, eval: finalEval }, f, bufs, gChan, 'naive');
  const bDz = bindAt(ctx, bwdDz, [
    [0, u],
    [4, f.Z],
    [6, f.stats],
    [13, bufs.argslot],
    [14, bufs.dy!],
    [15, dZ],
  ]);
  const bDx = bindAt(ctx, bwdDx, [
    [0, u],
    [16, dE],
    [17, bufs.dx!],
    [18, adjacency.adj],
  ]);
  const bDw = bindAt(ctx, dwReduce, [
    [0, u],
    [19, G],
    [20, bufs.dWeight!],
  ]);
  const gDense = grid1D(ctx, Math.ceil((B * O * nk) / WG));
  const gStats = [f.chunks, O, 1];
  const gDx = grid1D(ctx, Math.ceil((B * C * N) / WG));
  const gDw = grid1D(ctx, Math.ceil((O * 2 * C) / WG));
  return {
    encode(enc, mode) {
      adjacency.encode(enc);
      encodePass(enc, reduce, bReduce, gStats, 'naive.bwd_reduce');
      bnFinal.encode(enc, mode);
      encodePass(enc, bwdDz, bDz, gDense, 'naive.bwd_dz');
      mmDE.encode(enc);
      encodePass(enc, bwdDx, bDx, gDx, 'naive.bwd_dx');
      mmG.encode(enc);
      encodePass(enc, dwReduce, bDw, gDw, 'naive.dw_reduce');
    },
    destroy() {
      adjacency.destroy();
      mmDE.destroy();
      mmG.destroy();
    },
  };
}

/**
 * EdgeConv with the B×2C×N·k edge tensor materialised (shaders/edgeconv_naive.wgsl), as PyTorch's
 * DGCNN computes it. Same shape, buffers, contract and results as planEdgeConv; it exists for the
 * benchmark and as a second check. Its scratch is O(B·N·k·(C + Cout)). Phases: checks, scratch,
 * forward, backward (with dy).
 */
export async function planEdgeConvNaive(
  ctx: GpuContext,
  s: EdgeConvShape,
  bufs: EdgeConvBuffers,
): Promise<EdgeConvOp> {
  const { B, N, k, Cout: O } = s;
  const slices = edgeConvSlices(s, 'planEdgeConvNaive');
  const chunks = Math.ceil((B * N * k) / WG);
  checkLimit(ctx.limits, 'maxComputeWorkgroupsPerDimension', chunks, 'naive edgeconv statistics', LOWER);
  checkLimit(ctx.limits, 'maxComputeWorkgroupsPerDimension', O, 'naive edgeconv statistics', 'Cout');
  const backward = checkEdgeConvBuffers('planEdgeConvNaive', s, slices, bufs);

  const arena = new BufferArena(ctx, LOWER);
  const adjacency = backward ? await planReverseAdjacency(ctx, s, bufs.idx, arena, 'naive') : undefined;
  const scratch = allocateNaive(ctx, s, slices, arena, adjacency?.listBase ?? 0);
  const pipe: Pipe = (entry, c = {}) =>
    ctx.pipelines.compute(naiveWgsl, entry, { WG, ...c }, 'edgeconv_naive');
  const forward = await planNaiveForward(ctx, s, bufs, scratch, pipe);
  const backwardPhase = adjacency
    ? await planNaiveBackward(ctx, s, bufs, scratch, pipe, arena, adjacency)
    : undefined;

  const op = { arena, scratch, adjacency, edges: B * N * k, forward, backward: backwardPhase };
  return assembleEdgeConvOp(op, 'planEdgeConvNaive: planned without backward buffers');
}
