import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { GpuTimer, medianTime } from '../gpu/timer';
import { type MatmulShape, planMatmul } from './matmul';
import {
  MATMUL_TUNE_CANDIDATES,
  type MatmulVariant,
  matmulDeviceKey,
  matmulVariantName,
  setTunedMatmulVariant,
} from './matmul-variants';

export interface MatmulTuneResult {
  /** The chosen configuration; planMatmul uses it on this device from now on. */
  variant: MatmulVariant;
  name: string;
  /** Summed median time (ms) over the tuning shapes, per candidate, in candidate order. */
  timings: { name: string; ms: number }[];
  method: 'timestamp' | 'wall' | 'given';
  /** True when this came from the per-device cache rather than fresh timings. */
  cached: boolean;
}

/**
 * The shape the tuner times: a DGCNN 1×1 convolution (W [64, 64] broadcast over 4 clouds of 512
 * points), 17 MFLOP, so one run takes tens of milliseconds even on a CPU adapter.
 */
export const MATMUL_TUNE_SHAPES: readonly MatmulShape[] = [{ batch: 4, M: 64, N: 512, K: 64, strideA: 0 }];

/** Index of the smallest time; ties go to the earlier candidate, so the pick depends only on the timings. */
export function pickFastest(ms: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < ms.length; i++) if (ms[i]! < ms[best]!) best = i;
  return best;
}

const results = new Map<string, MatmulTuneResult>();

export interface TuneOptions {
  /** Time again even if this device was tuned already. */
  force?: boolean;
  candidates?: readonly MatmulVariant[];
  /** Timed runs per candidate and shape (median), after one warm-up. */
  runs?: number;
  /** Replaces GPU timing (tests): the time of one candidate over all tuning shapes. */
  timeCandidate?: (v: MatmulVariant) => Promise<number>;
}

/**
 * Times each candidate on MATMUL_TUNE_SHAPES, picks the fastest and remembers it for this adapter
 * (in memory), so later planMatmul calls without a variant use it.
 */
export async function tuneMatmul(ctx: GpuContext, opts: TuneOptions = {}): Promise<MatmulTuneResult> {
  const key = matmulDeviceKey(ctx);
  const known = results.get(key);
  if (known && !opts.force) return { ...known, cached: true };
  const candidates =
    opts.candidates ??
    MATMUL_TUNE_CANDIDATES.filter((v) => !(ctx.adapter.isFallbackAdapter && v.kernel === 'tiled'));
  const gpuTime = opts.timeCandidate ? undefined : await gpuTimeCandidate(ctx, opts.runs ?? 3);
  const time = opts.timeCandidate ?? gpuTime!.time;
  const ms: number[] = [];
  try {
    for (const v of candidates) ms.push(await time(v));
  } finally {
    gpuTime?.destroy();
  }
  const method = gpuTime ? gpuTime.method() : 'given';
  const best = candidates[pickFastest(ms)]!;
  const result: MatmulTuneResult = {
    variant: best,
    name: matmulVariantName(best),
    timings: candidates.map((v, i) => ({ name: matmulVariantName(v), ms: ms[i]! })),
    method,
    cached: false,
  };
  results.set(key, result);
  setTunedMatmulVariant(ctx, best);
  return result;
}

/** Forget the tuned choice for this device (planMatmul falls back to the default). */
export function resetMatmulTuning(ctx: GpuContext): void {
  results.delete(matmulDeviceKey(ctx));
  setTunedMatmulVariant(ctx, undefined);
}

/** Buffers sized for the largest tuning shape, shared by all candidates; contents do not matter. */
async function gpuTimeCandidate(ctx: GpuContext, runs: number) {
  const timer = new GpuTimer(ctx);
  const size = (s: MatmulShape, n: number) => 4 * n * (s.batch || 1);
  const bytes = (f: (s: MatmulShape) => number) => Math.max(...MATMUL_TUNE_SHAPES.map(f));
  const bufs = {
    a: createStorageBuffer(
      ctx,
      bytes((s) => size(s, s.M * s.K)),
      'matmul-tune.a',
    ),
    b: createStorageBuffer(
      ctx,
      bytes((s) => size(s, s.K * s.N)),
      'matmul-tune.b',
    ),
    c: createStorageBuffer(
      ctx,
      bytes((s) => size(s, s.M * s.N)),
      'matmul-tune.c',
    ),
  };
  let method: 'timestamp' | 'wall' = 'wall';
  const time = async (v: MatmulVariant) => {
    let total = 0;
    for (const s of MATMUL_TUNE_SHAPES) {
      const op = await planMatmul(ctx, s, bufs, { variant: v });
      const t = await medianTime(timer, (enc) => op.encode(enc), runs, 1);
      method = t.method;
      total += t.ms;
      op.destroy();
    }
    return total;
  };
  return {
    time,
    method: () => method,
    destroy: () => {
      timer.destroy();
      for (const b of Object.values(bufs)) b.destroy();
    },
  };
}
