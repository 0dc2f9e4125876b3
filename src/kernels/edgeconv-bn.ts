import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass } from '../gpu/dispatch';
import type { BnMode } from './edgeconv-dims';
import type { EdgeConvBuffers } from './edgeconv-shape';

// The launches of shaders/parts/edgeconv_bn.wgsl's passes, bound once, for the two single-conv
// EdgeConv plans (planEdgeConv, planEdgeConvNaive): the shaders declare the BN bindings alike
// (parts/edgeconv_bn_bindings.wgsl), so only the edge values the partial sums read differ.

/** A plan's uniform, its per-chunk partial sums [O, chunks, 2] and per-channel stats [O, 8]. */
export interface EdgeConvBnScratch {
  params: GPUBuffer;
  partial: GPUBuffer;
  stats: GPUBuffer;
}

/** Grids of the passes: the partial sums' and the per-channel ones'. */
export interface EdgeConvBnGrids {
  partials: number[];
  channels: number[];
}

/**
 * The forward's statistics. Training: partial sums of the edges (MODE 0), the mean, partial sums
 * of the centred squares (MODE 1), the variance with 1/σ and the running update. Eval: the
 * running statistics. `edges` binds what stats_partial reads the edge values from.
 */
export function bindEdgeConvBnStats(
  ctx: GpuContext,
  pipelines: {
    partial0: GPUComputePipeline;
    partial1: GPUComputePipeline;
    mean: GPUComputePipeline;
    variance: GPUComputePipeline;
    running: GPUComputePipeline;
  },
  f: EdgeConvBnScratch,
  edges: [number, GPUBuffer][],
  bufs: EdgeConvBuffers,
  grids: EdgeConvBnGrids,
  label: string,
): { encode(enc: GPUCommandEncoder, mode: BnMode): void } {
  const u = f.params;
  const partialBind: [number, GPUBuffer][] = [[0, u], ...edges, [5, f.partial], [6, f.stats]];
  const bPartial0 = bindAt(ctx, pipelines.partial0, partialBind);
  const bPartial1 = bindAt(ctx, pipelines.partial1, partialBind);
  const bMean = bindAt(ctx, pipelines.mean, [
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
  const bVar = bindAt(ctx, pipelines.variance, [[0, u], [5, f.partial], [6, f.stats], ...running]);
  const bRunning = bindAt(ctx, pipelines.running, [[0, u], [6, f.stats], ...running]);
  return {
    encode(enc, mode) {
      if (mode === 'train') {
        encodePass(enc, pipelines.partial0, bPartial0, grids.partials, `${label}.stats_partial`);
        encodePass(enc, pipelines.mean, bMean, grids.channels, `${label}.stats_mean`);
        encodePass(enc, pipelines.partial1, bPartial1, grids.partials, `${label}.stats_partial`);
        encodePass(enc, pipelines.variance, bVar, grids.channels, `${label}.stats_var`);
      } else {
        encodePass(enc, pipelines.running, bRunning, grids.channels, `${label}.stats_eval`);
      }
    },
  };
}

/** The backward's per-channel pass (bwd_final): dγ, dβ and the edge coefficients, training or eval mode. */
export function bindEdgeConvBnFinal(
  ctx: GpuContext,
  pipelines: { train: GPUComputePipeline; eval: GPUComputePipeline },
  f: EdgeConvBnScratch,
  bufs: EdgeConvBuffers,
  channels: number[],
  label: string,
): { encode(enc: GPUCommandEncoder, mode: BnMode): void } {
  const finalBind: [number, GPUBuffer][] = [
    [0, f.params],
    [5, f.partial],
    [6, f.stats],
    [21, bufs.dGamma!],
    [22, bufs.dBeta!],
  ];
  const bTrain = bindAt(ctx, pipelines.train, finalBind);
  const bEval = bindAt(ctx, pipelines.eval, finalBind);
  return {
    encode(enc, mode) {
      if (mode === 'train') encodePass(enc, pipelines.train, bTrain, channels, `${label}.bwd_final`);
      else encodePass(enc, pipelines.eval, bEval, channels, `${label}.bwd_final`);
    },
  };
}
