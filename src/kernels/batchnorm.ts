import batchnormWgsl from '../../shaders/batchnorm.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { bindAt } from './bind';
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

export async function planBatchNorm(
  ctx: GpuContext,
  s: BatchNormShape,
  bufs: BatchNormBuffers,
): Promise<BatchNormOp> {
  const { B, C, L } = s;
  if (B < 1 || C < 1 || L < 1) throw new Error(`planBatchNorm: empty input [${B}, ${C}, ${L}]`);
  if (bufs.x === bufs.y) throw new Error('planBatchNorm: y must be a different buffer from x');
  const grads = [bufs.dy, bufs.dx, bufs.dgamma, bufs.dbeta];
  const hasBwd = grads.every((b) => b !== undefined);
  if (!hasBwd && grads.some((b) => b !== undefined)) {
    throw new Error('planBatchNorm: the backward needs all of dy, dx, dgamma, dbeta');
  }
  const n = B * L;
  const total = B * C * L;
  const lay = batchNormLayout(s);
  const side = lay.cols ? 'cols' : 'rows';
  const pl = (entry: string, constants: Record<string, number> = {}) =>
    ctx.pipelines.compute(batchnormWgsl, entry, constants, 'batchnorm');
  const [stats, finStats, evalStats, apply, grad, finGrad, dxTrain, dxEval] = await Promise.all([
    pl(`stats_${side}`),
    pl('finalize_stats'),
    pl('eval_stats'),
    pl('apply'),
    hasBwd ? pl(`grad_${side}`) : undefined,
    hasBwd ? pl('finalize_grad') : undefined,
    hasBwd ? pl('dx', { TRAIN: 1 }) : undefined,
    hasBwd ? pl('dx', { TRAIN: 0 }) : undefined,
  ]);
  const params = createParams(ctx, 'batchnorm.params', [
    ['u32', B],
    ['u32', C],
    ['u32', L],
    ['u32', n],
    ['u32', lay.G],
    ['u32', lay.chunk],
    ['u32', lay.Lp],
    ['u32', total],
    ['f32', s.eps ?? 1e-5],
    ['f32', s.momentum ?? 0.1],
    ['u32', s.accumulate ? 1 : 0],
    ['u32', s.accumulateParams ? 1 : 0],
  ]);
  const size = (name: string) => scratchSize(batchNormScratch(s), name);
  const saveMean = createStorageBuffer(ctx, size('mean'), 'batchnorm.mean'); // [C]
  const saveInvstd = createStorageBuffer(ctx, size('invstd'), 'batchnorm.invstd'); // [C]
  checkBufferSize(
    ctx.limits,
    size('part'),
    'batchnorm partial statistics',
    'the channel count or the batch size',
  );
  const part = createStorageBuffer(ctx, size('part'), 'batchnorm.part'); // [G, C, Lp] × 3
  const sums = createStorageBuffer(ctx, size('sums'), 'batchnorm.sums'); // [2, C]
  const P = params.buffer;
  const b = (pipeline: GPUComputePipeline, entries: [number, GPUBuffer][], label: string) =>
    bindAt(ctx, pipeline, [...entries, [16, P]], label);
  const bind = {
    stats: b(
      stats,
      [
        [0, bufs.x],
        [8, part],
      ],
      'bn.stats',
    ),
    finStats: b(
      finStats,
      [
        [4, saveMean],
        [5, saveInvstd],
        [6, bufs.runningMean],
        [7, bufs.runningVar],
        [8, part],
      ],
      'bn.finalize_stats',
    ),
    evalStats: b(
      evalStats,
      [
        [4, saveMean],
        [5, saveInvstd],
        [6, bufs.runningMean],
        [7, bufs.runningVar],
      ],
      'bn.eval_stats',
    ),
    apply: b(
      apply,
      [
        [0, bufs.x],
        [2, bufs.gamma],
        [3, bufs.beta],
        [9, bufs.y],
        [13, saveMean],
        [14, saveInvstd],
      ],
      'bn.apply',
    ),
  };
  let bwd:
    | { grad: GPUBindGroup; finGrad: GPUBindGroup; dxTrain: GPUBindGroup; dxEval: GPUBindGroup }
    | undefined;
  if (grad && finGrad && dxTrain && dxEval && bufs.dy && bufs.dx && bufs.dgamma && bufs.dbeta) {
    const dxEntries: [number, GPUBuffer][] = [
      [0, bufs.x],
      [1, bufs.dy],
      [2, bufs.gamma],
      [9, bufs.dx],
      [13, saveMean],
      [14, saveInvstd],
      [15, sums],
    ];
    bwd = {
      grad: b(
        grad,
        [
          [0, bufs.x],
          [1, bufs.dy],
          [8, part],
          [13, saveMean],
          [14, saveInvstd],
        ],
        'bn.grad',
      ),
      finGrad: b(
        finGrad,
        [
          [8, part],
          [10, bufs.dgamma],
          [11, bufs.dbeta],
          [12, sums],
        ],
        'bn.finalize_grad',
      ),
      dxTrain: b(dxTrain, dxEntries, 'bn.dx'),
      dxEval: b(dxEval, dxEntries, 'bn.dx'),
    };
  }
  const gReduce = grid1D(ctx, lay.groups);
  const gChannels = grid1D(ctx, Math.ceil(C / 64));
  const gElements = grid1D(ctx, Math.ceil(total / 256));
  let lastMode: BatchNormMode | undefined;
  return {
    saveMean,
    saveInvstd,
    encodeForward(enc, mode) {
      if (mode === 'train') {
        if (n < 2) {
          throw new Error(
            `BatchNorm: training mode needs more than 1 value per channel (input [${B}, ${C}, ${L}] has ${n})`,
          );
        }
        encodePass(enc, stats, bind.stats, gReduce, 'bn.stats');
        encodePass(enc, finStats, bind.finStats, gChannels, 'bn.finalize_stats');
      } else {
        encodePass(enc, evalStats, bind.evalStats, gChannels, 'bn.eval_stats');
      }
      encodePass(enc, apply, bind.apply, gElements, 'bn.apply');
      lastMode = mode;
    },
    encodeBackward(enc, mode = lastMode) {
      if (!bwd || !grad || !finGrad || !dxTrain || !dxEval) {
        throw new Error('BatchNorm: planned without dy/dx/dgamma/dbeta, no backward');
      }
      if (!mode) throw new Error('BatchNorm: encodeBackward before any encodeForward needs a mode');
      encodePass(enc, grad, bwd.grad, gReduce, 'bn.grad');
      encodePass(enc, finGrad, bwd.finGrad, gChannels, 'bn.finalize_grad');
      if (mode === 'train') encodePass(enc, dxTrain, bwd.dxTrain, gElements, 'bn.dx');
      else encodePass(enc, dxEval, bwd.dxEval, gElements, 'bn.dx');
    },
    destroy() {
      for (const buf of [P, saveMean, saveInvstd, part, sums]) buf.destroy();
    },
  };
}
