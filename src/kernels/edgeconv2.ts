import edgeconv2Wgsl from '../../shaders/edgeconv2.wgsl?raw';
import { BufferArena } from '../gpu/arena';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { createParams, paramsBytes } from '../gpu/params';
import { planReverseAdjacency, reverseAdjacencyScratch } from './edgeconv-adjacency';
import { BN_EPS, BN_MOMENTUM, type BnMode } from './edgeconv-dims';
import { checkSlice, type EdgeConvShape, edgeConvSlices } from './edgeconv-shape';
import { planWcatBackward, planWcatForward } from './edgeconv-wcat';
import { type ScratchSpec, scratchSize, words } from './scratch';

// EdgeConv with two per-edge convs (shaders/edgeconv2.wgsl): conv 1×1 on [x_j − x_i ; x_i]
// (C → Cmid) → BN → LeakyReLU → conv 1×1 (Cmid → Cout) → BN → LeakyReLU → max over k, both BNs
// with training statistics over every B·N·k edge, without any per-edge tensor.

const LOWER = 'the batch size, the point count or k';
const WG = 64;
/** Points per partial sum of the reductions (the shader's override CH). */
const CH = 64;
/** Fields of struct Params in shaders/edgeconv2.wgsl. */
const PARAM_FIELDS = 20;
/** The most storage buffers one entry point binds (bwd2_reduce, bwd1_dpq). */
const STORAGE_BINDINGS = 8;

/** The slices of the single-conv EdgeConv (edgeconv-shape.ts), Cout the second conv's width, plus the first's. */
export interface EdgeConv2Shape extends EdgeConvShape {
  /** Output channels of the first conv (the second conv's input). */
  Cmid: number;
}

/**
 * The caller's buffers. encodeForward reads x, idx, the weights, γ and β, and writes y, argslot
 * (and in training mode both BNs' running statistics in place). encodeBackward must follow an
 * encodeForward of the same plan with x, idx and the weights unchanged; it writes dx (or adds to
 * it) and overwrites the weight, γ and β gradients. Without dy the plan is forward-only.
 */
export interface EdgeConv2Buffers {
  x: GPUBuffer; // [B, C, N] slice
  idx: GPUBuffer; // [B, N, k] i32, values in [0, N)
  weight1: GPUBuffer; // [Cmid, 2C]: channels 0..C−1 multiply x_j − x_i, C..2C−1 multiply x_i
  gamma1: GPUBuffer; // [Cmid]
  beta1: GPUBuffer;
  runningMean1: GPUBuffer;
  runningVar1: GPUBuffer;
  weight2: GPUBuffer; // [Cout, Cmid]
  gamma2: GPUBuffer; // [Cout]
  beta2: GPUBuffer;
  runningMean2: GPUBuffer;
  runningVar2: GPUBuffer;
  y: GPUBuffer; // [B, Cout, N] slice
  argslot: GPUBuffer; // [B, Cout, N] i32 dense, the winning slot 0..k−1
  dy?: GPUBuffer; // [B, Cout, N] slice
  dx?: GPUBuffer; // [B, C, N] slice
  dWeight1?: GPUBuffer; // [Cmid, 2C]
  dGamma1?: GPUBuffer; // [Cmid]
  dBeta1?: GPUBuffer;
  dWeight2?: GPUBuffer; // [Cout, Cmid]
  dGamma2?: GPUBuffer; // [Cout]
  dBeta2?: GPUBuffer;
}

export interface EdgeConv2Op {
  /** Bytes of GPU memory the plan allocated (scratch and uniforms), not counting the caller's buffers. */
  readonly bytes: number;
  /**
   * [8·Cmid + 8·Cout + …]: layer 1's [Cmid, 8] then layer 2's [Cout, 8] (mean, var (biased), 1/σ,
   * γ, β, and the backward's A, c1, c2), then the backward's ā, S, K, u (see the shader).
   */
  readonly stats: GPUBuffer;
  encodeForward(enc: GPUCommandEncoder, mode: BnMode): void;
  encodeBackward(enc: GPUCommandEncoder, mode?: BnMode): void;
  destroy(): void;
}

/**
 * What planEdgeConv2 allocates (EdgeConv2Op.bytes is their sum): Wcat [2M, C], PQ [B, 2M, N], the
 * partial sums [max(M, O), chunks, 2], stats (see EdgeConv2Op.stats) and two uniforms; with the
 * backward the reverse adjacency, S's partials [M·M, chunks], dz2 [B, O, N], dPQ [B, 2M, N] and
 * the per-cloud weight gradients G [B, 2M, C].
 */
export function edgeConv2Scratch(
  d: { B: number; N: number; k: number; C: number; Cmid: number; Cout: number },
  backward: boolean,
): ScratchSpec[] {
  const { B, N, C, Cmid: M, Cout: O } = d;
  const chunks = Math.ceil((B * N) / CH);
  const specs = [
    words('wcat', 2 * M * C),
    words('pq', B * 2 * M * N),
    words('partial', Math.max(M, O) * chunks * 2),
    words('stats', 8 * M + 8 * O + M + 3 * M * M),
    { name: 'params1', bytes: paramsBytes(PARAM_FIELDS) },
    { name: 'params2', bytes: paramsBytes(PARAM_FIELDS) },
  ];
  if (!backward) return specs;
  return [
    ...specs,
    ...reverseAdjacencyScratch(d),
    words('spart', M * M * chunks),
    words('dz2', B * O * N),
    words('dpq', B * 2 * M * N),
    words('g', B * 2 * M * C),
  ];
}

function pipeline(ctx: GpuContext, entry: string, constants: Record<string, number> = {}) {
  return ctx.pipelines.compute(edgeconv2Wgsl, entry, { WG, CH, ...constants }, 'edgeconv2');
}

/** Shape, slices and buffers: throws with what is wrong before anything is allocated. Returns whether the backward is planned. */
function checkShapeAndBuffers(s: EdgeConv2Shape, bufs: EdgeConv2Buffers, ctx: GpuContext) {
  const slices = edgeConvSlices(s, 'planEdgeConv2');
  const { B, N, C, Cmid: M, Cout: O } = s;
  if (!Number.isInteger(M) || M < 1) throw new Error(`planEdgeConv2: bad Cmid ${M}`);
  const l = ctx.limits;
  checkBufferSize(l, B * 2 * M * N * 4, 'EdgeConv2 scratch P/Q [B, 2·Cmid, N]', LOWER);
  checkBufferSize(l, B * O * N * 4, 'EdgeConv2 output [B, Cout, N]', LOWER);
  checkLimit(
    l,
    'maxStorageBuffersPerShaderStage',
    STORAGE_BINDINGS,
    'edgeconv2',
    'nothing (the adapter is too small)',
  );
  checkSlice(bufs.x, 'x', B, C, N, slices.inOff, slices.inBS);
  checkSlice(bufs.y, 'y', B, O, N, slices.outOff, slices.outBS);
  if (!bufs.dy) return { slices, backward: false };
  for (const name of ['dx', 'dWeight1', 'dGamma1', 'dBeta1', 'dWeight2', 'dGamma2', 'dBeta2'] as const) {
    if (!bufs[name]) throw new Error(`planEdgeConv2: dy given but not ${name}`);
  }
  checkSlice(bufs.dy, 'dy', B, O, N, slices.dyOff, slices.dyBS);
  checkSlice(bufs.dx!, 'dx', B, C, N, slices.dxOff, slices.dxBS);
  return { slices, backward: true };
}

/**
 * Plans the two-conv EdgeConv over fixed buffers: compiles, allocates its scratch and binds once.
 * Forward (train): Wcat, PQ = Wcat·X, BN1's mean and variance over h1 (two passes), PQ
 * normalised in place by them (fold_pq), BN2's over h2 (two passes, h2 recomputed per edge, four
 * output channels per thread), the max over k. Backward: the reverse adjacency, dz2
 * and BN2's coefficients, ā and S, dW2, K and u, BN1's sums and coefficients, dPQ, then dX and dW1.
 */
export async function planEdgeConv2(
  ctx: GpuContext,
  s: EdgeConv2Shape,
  bufs: EdgeConv2Buffers,
): Promise<EdgeConv2Op> {
  const { B, N, k, C, Cmid: M, Cout: O } = s;
  const { slices: l, backward } = checkShapeAndBuffers(s, bufs, ctx);
  const spec = edgeConv2Scratch(s, backward);
  const size = (name: string) => scratchSize(spec, name);
  const arena = new BufferArena(ctx, LOWER);
  const adjacency = backward ? await planReverseAdjacency(ctx, s, bufs.idx, arena, 'edgeconv2') : undefined;
  const chunks = Math.ceil((B * N) / CH);
  // The layer-1 backward passes take four channels per thread, layer 2's forward passes four outputs.
  const M4 = Math.ceil(M / 4);
  const O4 = Math.ceil(O / 4);
  const n = B * N * k;
  const uniform = (layer: 0 | 1) =>
    createParams(ctx, `edgeconv2.params${layer + 1}`, [
      ['u32', B],
      ['u32', N],
      ['u32', k],
      ['u32', C],
      ['u32', M],
      ['u32', O],
      ['u32', layer],
      ['u32', layer === 0 ? M : O],
      ['u32', chunks],
      ['u32', l.outOff],
      ['u32', l.outBS],
      ['u32', l.dyOff],
      ['u32', l.dyBS],
      ['u32', adjacency?.listBase ?? 0],
      ['f32', 1 / n],
      ['f32', n > 1 ? n / (n - 1) : 0],
      ['f32', BN_EPS],
      ['f32', s.momentum ?? BN_MOMENTUM],
      ['u32', 0],
      ['u32', 0],
    ]).buffer;
  const u1 = uniform(0);
  const u2 = uniform(1);
  const wcat = arena.alloc('edgeconv2.wcat', size('wcat'), 'weights'); // [2M, C]
  const pq = arena.alloc('edgeconv2.pq', size('pq'), 'activations'); // [B, 2M, N]
  const partial = arena.alloc('edgeconv2.partial', size('partial'), 'scratch'); // [max(M, O), chunks, 2]
  const stats = arena.alloc('edgeconv2.stats', size('stats'), 'scratch');

  const names = ['prep_w', 'stats_mean', 'stats_var', 'stats_eval', 'fold_pq', 'fwd_max'] as const;
  const [prepW, statsMean, statsVar, statsEval, foldPq, fwdMax] = await Promise.all(
    names.map((e) => pipeline(ctx, e)),
  );
  const [sum0, sq1, sumA] = await Promise.all(
    [0, 1, 2].map((MODE) => pipeline(ctx, 'stats_partial', { MODE })),
  );
  const [sum2, sq2] = await Promise.all([0, 1].map((MODE) => pipeline(ctx, 'stats2_partial', { MODE })));
  const wcatForward = await planWcatForward(
    ctx,
    { B, N, C, R: M },
    l,
    { pipeline: prepW!, uniform: u1, WG, label: 'edgeconv2' },
    { weight: bufs.weight1, wcat, x: bufs.x, pq },
  );
  const layerBufs = (layer: 0 | 1): [number, GPUBuffer][] =>
    layer === 0
      ? [
          [7, bufs.gamma1],
          [8, bufs.beta1],
          [9, bufs.runningMean1],
          [10, bufs.runningVar1],
        ]
      : [
          [7, bufs.gamma2],
          [8, bufs.beta2],
          [9, bufs.runningMean2],
          [10, bufs.runningVar2],
        ];
  const partialBind = (pl: GPUComputePipeline, u: GPUBuffer, withW2 = false) =>
    bindAt(ctx, pl, [
      [0, u],
      [3, pq],
      [4, bufs.idx],
      [5, partial],
      [6, stats],
      ...(withW2 ? ([[15, bufs.weight2]] as [number, GPUBuffer][]) : []),
    ]);
  // Layer 1's sums take one channel per thread, layer 2's four (stats2_partial).
  const layer = [u1, u2].map((u, L) => ({
    sumPl: L === 0 ? sum0! : sum2!,
    sqPl: L === 0 ? sq1! : sq2!,
    sum: partialBind(L === 0 ? sum0! : sum2!, u, L === 1),
    sq: partialBind(L === 0 ? sq1! : sq2!, u, L === 1),
    mean: bindAt(ctx, statsMean!, [
      [0, u],
      [5, partial],
      [6, stats],
    ]),
    variance: bindAt(ctx, statsVar!, [[0, u], [5, partial], [6, stats], ...layerBufs(L as 0 | 1)]),
    evalStats: bindAt(ctx, statsEval!, [[0, u], [6, stats], ...layerBufs(L as 0 | 1)]),
    channels: L === 0 ? M : O,
    sumThreads: (L === 0 ? M : O4) * chunks,
  }));
  const bMax = bindAt(ctx, fwdMax!, [
    [0, u2],
    [3, pq],
    [4, bufs.idx],
    [6, stats],
    [11, bufs.y],
    [12, bufs.argslot],
    [15, bufs.weight2],
  ]);
  const bFold = bindAt(ctx, foldPq!, [
    [0, u1],
    [3, pq],
    [6, stats],
  ]);
  const grid = (threads: number) => grid1D(ctx, Math.ceil(threads / WG));
  const encodeForward = (enc: GPUCommandEncoder, mode: BnMode) => {
    wcatForward.encode(enc);
    for (const [L, y] of layer.entries()) {
      // Layer 2's passes read PQ normalised by layer 1's statistics.
      if (L === 1) encodePass(enc, foldPq!, bFold, grid(B * M * N), 'edgeconv2.fold_pq');
      if (mode === 'train') {
        encodePass(enc, y.sumPl, y.sum, grid(y.sumThreads), 'edgeconv2.stats_partial');
        encodePass(enc, statsMean!, y.mean, grid(y.channels), 'edgeconv2.stats_mean');
        encodePass(enc, y.sqPl, y.sq, grid(y.sumThreads), 'edgeconv2.stats_partial');
        encodePass(enc, statsVar!, y.variance, grid(y.channels), 'edgeconv2.stats_var');
      } else {
        encodePass(enc, statsEval!, y.evalStats, grid(y.channels), 'edgeconv2.stats_eval');
      }
    }
    encodePass(enc, fwdMax!, bMax, grid(B * O4 * N), 'edgeconv2.fwd_max');
  };

  let encodeBackward: ((enc: GPUCommandEncoder, mode: BnMode) => void) | undefined;
  const destroyers: (() => void)[] = [() => wcatForward.destroy()];
  if (adjacency) {
    const spart = arena.alloc('edgeconv2.spart', size('spart'), 'scratch'); // [M·M, chunks]
    const dz2 = arena.alloc('edgeconv2.dz2', size('dz2'), 'grads'); // [B, O, N]
    const dpq = arena.alloc('edgeconv2.dpq', size('dpq'), 'grads'); // [B, 2M, N]
    const g = arena.alloc('edgeconv2.g', size('g'), 'grads'); // [B, 2M, C]
    const bnames = [
      'bwd2_reduce',
      'abar_final',
      's_partial',
      's_final',
      'dw2',
      'bwd1_reduce',
      'bwd1_dpq',
      'dw_combine',
    ];
    const [bwd2Reduce, abarFinal, sPartial, sFinal, dw2, bwd1Reduce, bwd1Dpq, dw1Combine] = await Promise.all(
      bnames.map((e) => pipeline(ctx, e)),
    );
    const [finalTrain, finalEval] = await Promise.all(
      [1, 0].map((TRAIN) => pipeline(ctx, 'bn_final', { TRAIN })),
    );
    const wcatBackward = await planWcatBackward(
      ctx,
      { B, N, C, R: M },
      l,
      s.accumulateDx ?? false,
      { pipeline: dw1Combine!, uniform: u1, WG, label: 'edgeconv2' },
      { wcat, dpq, x: bufs.x, dx: bufs.dx!, g, dWeight: bufs.dWeight1! },
    );
    destroyers.push(
      () => adjacency.destroy(),
      () => wcatBackward.destroy(),
    );
    const bReduce2 = bindAt(ctx, bwd2Reduce!, [
      [0, u2],
      [3, pq],
      [4, bufs.idx],
      [5, partial],
      [6, stats],
      [12, bufs.argslot],
      [13, bufs.dy!],
      [14, dz2],
      [15, bufs.weight2],
    ]);
    const finalBind = (pl: GPUComputePipeline, u: GPUBuffer, dGamma: GPUBuffer, dBeta: GPUBuffer) =>
      bindAt(ctx, pl, [
        [0, u],
        [5, partial],
        [6, stats],
        [21, dGamma],
        [22, dBeta],
      ]);
    const final = {
      train: [
        finalBind(finalTrain!, u1, bufs.dGamma1!, bufs.dBeta1!),
        finalBind(finalTrain!, u2, bufs.dGamma2!, bufs.dBeta2!),
      ],
      eval: [
        finalBind(finalEval!, u1, bufs.dGamma1!, bufs.dBeta1!),
        finalBind(finalEval!, u2, bufs.dGamma2!, bufs.dBeta2!),
      ],
    };
    const bAbarSum = partialBind(sumA!, u1);
    const bAbar = bindAt(ctx, abarFinal!, [
      [0, u1],
      [5, partial],
      [6, stats],
    ]);
    const bSPartial = bindAt(ctx, sPartial!, [
      [0, u1],
      [3, pq],
      [4, bufs.idx],
      [6, stats],
      [16, spart],
    ]);
    const bSFinal = bindAt(ctx, sFinal!, [
      [0, u1],
      [6, stats],
      [15, bufs.weight2],
      [16, spart],
    ]);
    const perEdge: [number, GPUBuffer][] = [
      [0, u1],
      [3, pq],
      [4, bufs.idx],
      [6, stats],
      [12, bufs.argslot],
      [14, dz2],
      [15, bufs.weight2],
    ];
    const bDw2 = bindAt(ctx, dw2!, [...perEdge, [20, bufs.dWeight2!]]);
    const bReduce1 = bindAt(ctx, bwd1Reduce!, [...perEdge, [5, partial]]);
    const bDpq = bindAt(ctx, bwd1Dpq!, [...perEdge, [17, adjacency.adj], [18, dpq]]);
    encodeBackward = (enc, mode) => {
      const fin = mode === 'train' ? final.train : final.eval;
      const pl = mode === 'train' ? finalTrain! : finalEval!;
      adjacency.encode(enc);
      encodePass(enc, bwd2Reduce!, bReduce2, grid(O * chunks), 'edgeconv2.bwd2_reduce');
      encodePass(enc, pl, fin[1]!, grid(O), 'edgeconv2.bn_final');
      encodePass(enc, sumA!, bAbarSum, grid(M * chunks), 'edgeconv2.stats_partial');
      encodePass(enc, abarFinal!, bAbar, grid(M), 'edgeconv2.abar_final');
      encodePass(enc, sPartial!, bSPartial, grid(M4 * M4 * chunks), 'edgeconv2.s_partial');
      encodePass(enc, sFinal!, bSFinal, grid(M * M + M), 'edgeconv2.s_final');
      encodePass(enc, dw2!, bDw2, grid(O * M), 'edgeconv2.dw2');
      encodePass(enc, bwd1Reduce!, bReduce1, grid(M4 * chunks), 'edgeconv2.bwd1_reduce');
      encodePass(enc, pl, fin[0]!, grid(M), 'edgeconv2.bn_final');
      encodePass(enc, bwd1Dpq!, bDpq, grid(B * M4 * N), 'edgeconv2.bwd1_dpq');
      wcatBackward.encode(enc);
    };
  }

  return {
    bytes: arena.totalBytes + u1.size + u2.size + (adjacency?.uniformBytes ?? 0),
    stats,
    encodeForward(enc, mode) {
      if (mode === 'train' && n < 2) {
        throw new Error('edgeconv2: training-mode BatchNorm needs more than one edge per channel');
      }
      encodeForward(enc, mode);
    },
    encodeBackward(enc, mode = 'train') {
      if (!encodeBackward) {
        throw new Error(
          'planEdgeConv2: planned without backward buffers (dy, dx and the six parameter gradients)',
        );
      }
      encodeBackward(enc, mode);
    },
    destroy() {
      u1.destroy();
      u2.destroy();
      for (const d of destroyers) d();
      arena.destroy();
    },
  };
}
