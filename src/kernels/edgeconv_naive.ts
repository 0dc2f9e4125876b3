import naiveWgsl from '../../shaders/edgeconv_naive.wgsl?raw';
import { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';
import {
  bindAt,
  checkSlice,
  type EdgeConvBuffers,
  type EdgeConvOp,
  type EdgeConvShape,
  planReverseAdjacency,
} from './edgeconv';
import { BN_EPS, BN_MOMENTUM, type BnMode } from './edgeconv-dims';
import { planMatmul } from './matmul';

const WG = 256;
const WG_CHANNEL = 64;
const LOWER = 'the batch size, the point count or k';

/**
 * EdgeConv with the B×2C×N·k edge tensor materialised (shaders/edgeconv_naive.wgsl), as PyTorch's
 * DGCNN computes it. Same shape, buffers, contract and results as planEdgeConv; it exists for the
 * benchmark and as a second check. Its scratch is O(B·N·k·(C + Cout)).
 */
export async function planEdgeConvNaive(
  ctx: GpuContext,
  s: EdgeConvShape,
  bufs: EdgeConvBuffers,
): Promise<EdgeConvOp> {
  const { B, N, k, C, Cout: O } = s;
  if ([B, N, k, C, O].some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`planEdgeConvNaive: bad shape ${JSON.stringify(s)}`);
  }
  const nk = N * k;
  const inOff = s.inOffset ?? 0;
  const inBS = s.inBatchStride ?? C * N;
  const outOff = s.outOffset ?? 0;
  const outBS = s.outBatchStride ?? O * N;
  const dxOff = s.dxOffset ?? inOff;
  const dxBS = s.dxBatchStride ?? inBS;
  const dyOff = s.dyOffset ?? outOff;
  const dyBS = s.dyBatchStride ?? outBS;
  const backward = bufs.dy !== undefined;
  const chunks = Math.ceil((B * nk) / WG);
  checkLimit(ctx.limits, 'maxComputeWorkgroupsPerDimension', chunks, 'naive edgeconv statistics', LOWER);
  checkLimit(ctx.limits, 'maxComputeWorkgroupsPerDimension', O, 'naive edgeconv statistics', 'Cout');
  checkSlice(bufs.x, 'x', B, C, N, inOff, inBS);
  checkSlice(bufs.y, 'y', B, O, N, outOff, outBS);
  if (backward) {
    for (const name of ['dx', 'dWeight', 'dGamma', 'dBeta'] as const) {
      if (!bufs[name]) throw new Error(`planEdgeConvNaive: dy given but not ${name}`);
    }
    checkSlice(bufs.dy!, 'dy', B, O, N, dyOff, dyBS);
    checkSlice(bufs.dx!, 'dx', B, C, N, dxOff, dxBS);
  }

  const arena = new BufferArena(ctx, LOWER);
  const E = arena.alloc('naive.edges', B * 2 * C * nk * 4, 'activations'); // [B, 2C, Nk]
  const Z = arena.alloc('naive.z', B * O * nk * 4, 'activations'); // [B, O, Nk]
  const act = arena.alloc('naive.act', B * O * nk * 4, 'activations'); // [B, O, Nk]
  const partial = arena.alloc('naive.partial', O * chunks * 2 * 4, 'scratch'); // [O, chunks, 2]
  const stats = arena.alloc('naive.stats', O * 8 * 4, 'scratch'); // [O, 8]
  const adjacency = backward ? await planReverseAdjacency(ctx, s, bufs.idx, arena, 'naive') : undefined;
  const n = B * nk;
  const params = createParams(ctx, 'naive.params', [
    ['u32', B],
    ['u32', N],
    ['u32', k],
    ['u32', C],
    ['u32', O],
    ['u32', chunks],
    ['u32', inOff],
    ['u32', inBS],
    ['u32', outOff],
    ['u32', outBS],
    ['u32', dyOff],
    ['u32', dyBS],
    ['u32', dxOff],
    ['u32', dxBS],
    ['u32', s.accumulateDx ? 1 : 0],
    ['u32', adjacency?.listBase ?? 0],
    ['f32', 1 / n],
    ['f32', n > 1 ? n / (n - 1) : 0],
    ['f32', BN_EPS],
    ['f32', BN_MOMENTUM],
  ]);
  const u = params.buffer;
  const pipe = (entry: string, c: Record<string, number> = {}) =>
    ctx.pipelines.compute(naiveWgsl, entry, { WG, ...c }, 'edgeconv_naive');
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
    { a: bufs.weight, b: E, c: Z },
  );
  const running: [number, GPUBuffer][] = [
    [7, bufs.gamma],
    [8, bufs.beta],
    [9, bufs.runningMean],
    [10, bufs.runningVar],
  ];
  const bBuild = bindAt(ctx, build, [
    [0, u],
    [1, bufs.x],
    [2, bufs.idx],
    [3, E],
  ]);
  const statsBind: [number, GPUBuffer][] = [
    [0, u],
    [4, Z],
    [5, partial],
    [6, stats],
  ];
  const bStats0 = bindAt(ctx, stats0, statsBind);
  const bStats1 = bindAt(ctx, stats1, statsBind);
  const bMean = bindAt(ctx, sMean, [
    [0, u],
    [5, partial],
    [6, stats],
  ]);
  const bVar = bindAt(ctx, sVar, [[0, u], [5, partial], [6, stats], ...running]);
  const bEval = bindAt(ctx, sEval, [[0, u], [6, stats], ...running]);
  const bAct = bindAt(ctx, activate, [
    [0, u],
    [4, Z],
    [6, stats],
    [11, act],
  ]);
  const bMax = bindAt(ctx, maxK, [
    [0, u],
    [11, act],
    [12, bufs.y],
    [13, bufs.argslot],
  ]);
  const gEdges = grid1D(ctx, Math.ceil((B * 2 * C * nk) / WG));
  const gDense = grid1D(ctx, Math.ceil((B * O * nk) / WG));
  const gOut = grid1D(ctx, Math.ceil((B * O * N) / WG));
  const gChan = [Math.ceil(O / WG_CHANNEL), 1, 1];
  const gStats = [chunks, O, 1];

  let encodeBackward: (enc: GPUCommandEncoder, mode: BnMode) => void = () => {
    throw new Error('planEdgeConvNaive: planned without backward buffers');
  };
  const destroyers: (() => void)[] = [() => params.buffer.destroy(), () => mmZ.destroy()];
  if (backward && adjacency) {
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
      { a: dZ, b: E, c: G },
    );
    const bReduce = bindAt(ctx, reduce, [
      [0, u],
      [4, Z],
      [5, partial],
      [6, stats],
      [13, bufs.argslot],
      [14, bufs.dy!],
    ]);
    const finalBind: [number, GPUBuffer][] = [
      [0, u],
      [5, partial],
      [6, stats],
      [21, bufs.dGamma!],
      [22, bufs.dBeta!],
    ];
    const bFinalTrain = bindAt(ctx, finalTrain, finalBind);
    const bFinalEval = bindAt(ctx, finalEval, finalBind);
    const bDz = bindAt(ctx, bwdDz, [
      [0, u],
      [4, Z],
      [6, stats],
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
    const gDx = grid1D(ctx, Math.ceil((B * C * N) / WG));
    const gDw = grid1D(ctx, Math.ceil((O * 2 * C) / WG));
    encodeBackward = (enc, mode) => {
      adjacency.encode(enc);
      encodePass(enc, reduce, bReduce, gStats, 'naive.bwd_reduce');
      if (mode === 'train') encodePass(enc, finalTrain, bFinalTrain, gChan, 'naive.bwd_final');
      else encodePass(enc, finalEval, bFinalEval, gChan, 'naive.bwd_final');
      encodePass(enc, bwdDz, bDz, gDense, 'naive.bwd_dz');
      mmDE.encode(enc);
      encodePass(enc, bwdDx, bDx, gDx, 'naive.bwd_dx');
      mmG.encode(enc);
      encodePass(enc, dwReduce, bDw, gDw, 'naive.dw_reduce');
    };
    destroyers.push(
      () => adjacency.destroy(),
      () => mmDE.destroy(),
      () => mmG.destroy(),
    );
  }

  return {
    bytes: arena.totalBytes + params.buffer.size + (adjacency?.uniformBytes ?? 0),
    stats,
    encodeForward(enc, mode) {
      if (mode === 'train' && n < 2) {
        throw new Error('edgeconv: training-mode BatchNorm needs more than one edge per channel');
      }
      encodePass(enc, build, bBuild, gEdges, 'naive.build_edges');
      mmZ.encode(enc);
      if (mode === 'train') {
        encodePass(enc, stats0, bStats0, gStats, 'naive.stats_partial');
        encodePass(enc, sMean, bMean, gChan, 'naive.stats_mean');
        encodePass(enc, stats1, bStats1, gStats, 'naive.stats_partial');
        encodePass(enc, sVar, bVar, gChan, 'naive.stats_var');
      } else {
        encodePass(enc, sEval, bEval, gChan, 'naive.stats_eval');
      }
      encodePass(enc, activate, bAct, gDense, 'naive.activate');
      encodePass(enc, maxK, bMax, gOut, 'naive.max_k');
    },
    encodeBackward(enc, mode = 'train') {
      encodeBackward(enc, mode);
    },
    destroy() {
      for (const f of destroyers) f();
      arena.destroy();
    },
  };
}
