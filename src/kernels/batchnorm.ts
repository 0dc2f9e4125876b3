import batchnormWgsl from '../../shaders/batchnorm.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { bindAt } from '../gpu/bind';
import { type ScratchSpec, scratchSize, words } from './scratch';

/**
 * BatchNorm over x [B, C, L] with per-channel statistics over the n = B·L values of a channel
 * (PyTorch semantics, crosspoint-weights.md §3): BatchNorm1d on [B, C, N] (L = N) or on [B, C]
 * (L = 1), BatchNorm2d on [B, C, H, W] (L = H·W).
 */
export interface BatchNormShape {
  B: number;
  C: number;
  L: number;
  /** Default 1e-5. */
  eps?: number;
  /** Weight of the new batch statistic in the running stats (PyTorch convention), default 0.1. */
  momentum?: number;
  /** Backward adds into dx (dx += ...) instead of overwriting it. */
  accumulate?: boolean;
  /** Backward adds into dgamma and dbeta instead of overwriting them. */
  accumulateParams?: boolean;
}

export interface BatchNormBuffers {
  /** [B, C, L] */
  x: GPUBuffer;
  /** [B, C, L]; must differ from x. */
  y: GPUBuffer;
  /** [C] weight and bias. */
  gamma: GPUBuffer;
  beta: GPUBuffer;
  /** [C] running statistics; updated by each training forward. */
  runningMean: GPUBuffer;
  runningVar: GPUBuffer;
  /** Backward (all four or none): dy, dx [B, C, L], dgamma, dbeta [C]. */
  dy?: GPUBuffer;
  dx?: GPUBuffer;
  dgamma?: GPUBuffer;
  dbeta?: GPUBuffer;
}

export type BatchNormMode = 'train' | 'eval';

export interface BatchNormOp {
  /** [C] the mean the last forward normalised with (batch mean, or running mean in eval). */
  readonly saveMean: GPUBuffer;
  /** [C] 1/sqrt(var + eps) the last forward used. */
  readonly saveInvstd: GPUBuffer;
  /** y = BN(x). 'train' also updates the running stats (num_batches_tracked is the caller's). */
  encodeForward(enc: GPUCommandEncoder, mode: BatchNormMode): void;
  /** dx, dgamma, dbeta from dy; mode defaults to that of the last encodeForward. */
  encodeBackward(enc: GPUCommandEncoder, mode?: BatchNormMode): void;
  destroy(): void;
}

/** Pass-1 layout: channels walked along L (rows) when L ≥ 32, else columns of [B, C·L]. */
export function batchNormLayout(s: { B: number; C: number; L: number }) {
  if (s.L >= 32) {
    const n = s.B * s.L;
    // ≥ 4096 values per chunk (16 per thread), at most 256 chunks per channel.
    const G = Math.min(256, Math.ceil(n / 4096));
    return { cols: false, G, chunk: Math.ceil(n / G), Lp: 1, groups: s.C * G };
  }
  const chunk = Math.max(64, Math.ceil(s.B / 256));
  const G = Math.ceil(s.B / chunk);
  return { cols: true, G, chunk, Lp: s.L, groups: Math.ceil((s.C * s.L) / 64) * G };
}

/**
 * What planBatchNorm allocates for itself beyond its uniform: the pass-1 partials [G, C, Lp] × 3,
 * the backward's sums [2, C], and the saved mean and 1/σ [C] each.
 */
export function batchNormScratch(s: { B: number; C: number; L: number }): ScratchSpec[] {
  const lay = batchNormLayout(s);
  return [
    { name: 'part', bytes: lay.G * s.C * lay.Lp * 12 },
    words('sums', 2 * s.C),
    words('mean', s.C),
    words('invstd', s.C),
  ];
}

/** Phase 1: the shape, and that the backward buffers come all together or not at all. */
function checkBatchNorm(s: BatchNormShape, bufs: BatchNormBuffers): boolean {
  const { B, C, L } = s;
  if (B < 1 || C < 1 || L < 1) throw new Error(`planBatchNorm: empty input [${B}, ${C}, ${L}]`);
  if (bufs.x === bufs.y) throw new Error('planBatchNorm: y must be a different buffer from x');
  const grads = [bufs.dy, bufs.dx, bufs.dgamma, bufs.dbeta];
  const hasBwd = grads.every((b) => b !== undefined);
  if (!hasBwd && grads.some((b) => b !== undefined)) {
    throw new Error('planBatchNorm: the backward needs all of dy, dx, dgamma, dbeta');
  }
  return hasBwd;
}

/** The plan's own buffers (batchNormScratch) and its uniform block. */
interface BatchNormScratchBuffers {
  params: GPUBuffer;
  /** [C] the statistics the last forward normalised with */
  saveMean: GPUBuffer;
  saveInvstd: GPUBuffer;
  /** [G, C, Lp] × 3 pass-1 partial sums */
  part: GPUBuffer;
  /** [2, C] the backward's Σ dy and Σ dy·x̂ */
  sums: GPUBuffer;
}

/** Phase 2: the uniform block and the scratch of batchNormScratch. */
function allocateBatchNorm(ctx: GpuContext, s: BatchNormShape): BatchNormScratchBuffers {
  const { B, C, L } = s;
  const lay = batchNormLayout(s);
  const params = createParams(ctx, 'batchnorm.params', [
    ['u32', B],
    ['u32', C],
    ['u32', L],
    ['u32', B * L],
    ['u32', lay.G],
    ['u32', lay.chunk],
    ['u32', lay.Lp],
    ['u32', B * C * L],
    ['f32', s.eps ?? 1e-5],
    ['f32', s.momentum ?? 0.1],
    ['u32', s.accumulate ? 1 : 0],
    ['u32', s.accumulateParams ? 1 : 0],
  ]);
  const size = (name: string) => scratchSize(batchNormScratch(s), name);
  const saveMean = createStorageBuffer(ctx, size('mean'), 'batchnorm.mean');
  const saveInvstd = createStorageBuffer(ctx, size('invstd'), 'batchnorm.invstd');
  checkBufferSize(
    ctx.limits,
    size('part'),
    'batchnorm partial statistics',
    'the channel count or the batch size',
  );
  const part = createStorageBuffer(ctx, size('part'), 'batchnorm.part');
  const sums = createStorageBuffer(ctx, size('sums'), 'batchnorm.sums');
  return { params: params.buffer, saveMean, saveInvstd, part, sums };
}

type Pass = { pipeline: GPUComputePipeline; bind: GPUBindGroup };

/**
 * Phase 3, the forward passes: the batch statistics (per-chunk partials, then per channel, which
 * also updates the running ones) or the running statistics (eval), then y = γ·x̂ + β.
 */
async function planBatchNormForward(
  ctx: GpuContext,
  s: BatchNormShape,
  bufs: BatchNormBuffers,
  sb: BatchNormScratchBuffers,
) {
  const side = batchNormLayout(s).cols ? 'cols' : 'rows';
  const pl = (entry: string) => ctx.pipelines.compute(batchnormWgsl, entry, {}, 'batchnorm');
  const [stats, finStats, evalStats, apply] = await Promise.all([
    pl(`stats_${side}`),
    pl('finalize_stats'),
    pl('eval_stats'),
    pl('apply'),
  ]);
  const pass = (pipeline: GPUComputePipeline, entries: [number, GPUBuffer][], label: string): Pass => ({
    pipeline,
    bind: bindAt(ctx, pipeline, [...entries, [16, sb.params]], label),
  });
  const statBufs: [number, GPUBuffer][] = [
    [4, sb.saveMean],
    [5, sb.saveInvstd],
    [6, bufs.runningMean],
    [7, bufs.runningVar],
  ];
  return {
    stats: pass(
      stats,
      [
        [0, bufs.x],
        [8, sb.part],
      ],
      'bn.stats',
    ),
    finStats: pass(finStats, [...statBufs, [8, sb.part]], 'bn.finalize_stats'),
    evalStats: pass(evalStats, statBufs, 'bn.eval_stats'),
    apply: pass(
      apply,
      [
        [0, bufs.x],
        [2, bufs.gamma],
        [3, bufs.beta],
        [9, bufs.y],
        [13, sb.saveMean],
        [14, sb.saveInvstd],
      ],
      'bn.apply',
    ),
  };
}

/**
 * Phase 4, the backward passes: per-chunk Σ dy and Σ dy·x̂, their per-channel totals (dβ, dγ),
 * then dx (through the batch statistics in training mode, or the running ones in eval).
 */
async function planBatchNormBackward(
  ctx: GpuContext,
  s: BatchNormShape,
  bufs: Required<BatchNormBuffers>,
  sb: BatchNormScratchBuffers,
) {
  const side = batchNormLayout(s).cols ? 'cols' : 'rows';
  const pl = (entry: string, constants: Record<string, number> = {}) =>
    ctx.pipelines.compute(batchnormWgsl, entry, constants, 'batchnorm');
  const [grad, finGrad, dxTrain, dxEval] = await Promise.all([
    pl(`grad_${side}`),
    pl('finalize_grad'),
    pl('dx', { TRAIN: 1 }),
    pl('dx', { TRAIN: 0 }),
  ]);
  const pass = (pipeline: GPUComputePipeline, entries: [number, GPUBuffer][], label: string): Pass => ({
    pipeline,
    bind: bindAt(ctx, pipeline, [...entries, [16, sb.params]], label),
  });
  const dxEntries: [number, GPUBuffer][] = [
    [0, bufs.x],
    [1, bufs.dy],
    [2, bufs.gamma],
    [9, bufs.dx],
    [13, sb.saveMean],
    [14, sb.saveInvstd],
    [15, sb.sums],
  ];
  return {
    grad: pass(
      grad,
      [
        [0, bufs.x],
        [1, bufs.dy],
        [8, sb.part],
        [13, sb.saveMean],
        [14, sb.saveInvstd],
      ],
      'bn.grad',
    ),
    finGrad: pass(
      finGrad,
      [
        [8, sb.part],
        [10, bufs.dgamma],
        [11, bufs.dbeta],
        [12, sb.sums],
      ],
      'bn.finalize_grad',
    ),
    dxTrain: pass(dxTrain, dxEntries, 'bn.dx'),
    dxEval: pass(dxEval, dxEntries, 'bn.dx'),
  };
}

/** Plans BatchNorm over fixed buffers. Phases: checks, scratch, forward passes, backward passes. */
export async function planBatchNorm(
  ctx: GpuContext,
  s: BatchNormShape,
  bufs: BatchNormBuffers,
): Promise<BatchNormOp> {
  const hasBwd = checkBatchNorm(s, bufs);
  const { B, C, L } = s;
  const n = B * L;
  const sb = allocateBatchNorm(ctx, s);
  const [fwd, bwd] = await Promise.all([
    planBatchNormForward(ctx, s, bufs, sb),
    hasBwd ? planBatchNormBackward(ctx, s, bufs as Required<BatchNormBuffers>, sb) : undefined,
  ]);
  const gReduce = grid1D(ctx, batchNormLayout(s).groups);
  const gChannels = grid1D(ctx, Math.ceil(C / 64));
  const gElements = grid1D(ctx, Math.ceil((B * C * L) / 256));
  const run = (enc: GPUCommandEncoder, p: Pass, groups: readonly number[], label: string) =>
    encodePass(enc, p.pipeline, p.bind, groups, label);
  let lastMode: BatchNormMode | undefined;
  return {
    saveMean: sb.saveMean,
    saveInvstd: sb.saveInvstd,
    encodeForward(enc, mode) {
      if (mode === 'train') {
        if (n < 2) {
          throw new Error(
            `BatchNorm: training mode needs more than 1 value per channel (input [${B}, ${C}, ${L}] has ${n})`,
          );
        }
        run(enc, fwd.stats, gReduce, 'bn.stats');
        run(enc, fwd.finStats, gChannels, 'bn.finalize_stats');
      } else {
        run(enc, fwd.evalStats, gChannels, 'bn.eval_stats');
      }
      run(enc, fwd.apply, gElements, 'bn.apply');
      lastMode = mode;
    },
    encodeBackward(enc, mode = lastMode) {
      if (!bwd) throw new Error('BatchNorm: planned without dy/dx/dgamma/dbeta, no backward');
      if (!mode) throw new Error('BatchNorm: encodeBackward before any encodeForward needs a mode');
      run(enc, bwd.grad, gReduce, 'bn.grad');
      run(enc, bwd.finGrad, gChannels, 'bn.finalize_grad');
      if (mode === 'train') run(enc, bwd.dxTrain, gElements, 'bn.dx');
      else run(enc, bwd.dxEval, gElements, 'bn.dx');
    },
    destroy() {
      for (const buf of [sb.params, sb.saveMean, sb.saveInvstd, sb.part, sb.sums]) buf.destroy();
    },
  };
}
