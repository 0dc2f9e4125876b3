import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { GpuTimer } from '../gpu/timer';
import { type MatmulOp, type MatmulShape, planMatmul } from './matmul';
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
  /** Time (ms) of each candidate on MATMUL_TUNE_SHAPE, in candidate order. */
  timings: { name: string; ms: number }[];
  method: 'timestamp' | 'wall' | 'given';
  /** True when this came from the per-device cache rather than fresh timings. */
  cached: boolean;
}

/**
 * The shape the tuner times: a DGCNN 1×1 convolution (W [64, 64] broadcast over 4 clouds of 512
 * points), 17 MFLOP, so one run takes tens of milliseconds even on a CPU adapter.
 */
export const MATMUL_TUNE_SHAPE: MatmulShape = { batch: 4, M: 64, N: 512, K: 64, strideA: 0 };

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
  /** Timed rounds (each runs every candidate once); a candidate's time is its fastest round. */
  rounds?: number;
  /** Replaces GPU timing (tests): the time of one candidate. */
  timeCandidate?: (v: MatmulVariant) => Promise<number>;
}

/**
 * Times each candidate on MATMUL_TUNE_SHAPE, picks the fastest and remembers it for this adapter
 * (in memory), so later planMatmul calls without a variant use it.
 */
export async function tuneMatmul(ctx: GpuContext, opts: TuneOptions = {}): Promise<MatmulTuneResult> {
  const key = matmulDeviceKey(ctx);
  const known = results.get(key);
  if (known && !opts.force) return { ...known, cached: true };
  const candidates =
    opts.candidates ??
    MATMUL_TUNE_CANDIDATES.filter((v) => !(ctx.adapter.isFallbackAdapter && v.kernel === 'tiled'));
  let ms: number[];
  let method: MatmulTuneResult['method'] = 'given';
  if (opts.timeCandidate) {
    ms = [];
    for (const v of candidates) ms.push(await opts.timeCandidate(v));
  } else {
    ({ ms, method } = await timeOnGpu(ctx, candidates, opts.rounds ?? 5));
  }
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

/**
 * Fastest of `rounds` runs per candidate, after one warm-up run each. Rounds interleave the
 * candidates, so a burst of other load on the machine slows one round of all of them rather than
 * every run of one; the minimum is the run least disturbed.
 */
async function timeOnGpu(ctx: GpuContext, candidates: readonly MatmulVariant[], rounds: number) {
  const s = MATMUL_TUNE_SHAPE;
  const bufs = {
    a: createStorageBuffer(ctx, 4 * s.M * s.K, 'matmul-tune.a'),
    b: createStorageBuffer(ctx, 4 * s.batch * s.K * s.N, 'matmul-tune.b'),
    c: createStorageBuffer(ctx, 4 * s.batch * s.M * s.N, 'matmul-tune.c'),
  };
  const timer = new GpuTimer(ctx);
  const ops: MatmulOp[] = [];
  try {
    for (const v of candidates) ops.push(await planMatmul(ctx, s, bufs, { variant: v }));
    const ms = ops.map(() => Number.POSITIVE_INFINITY);
    let method: 'timestamp' | 'wall' = 'wall';
    for (let r = -1; r < rounds; r++) {
      for (const [i, op] of ops.entries()) {
        const t = await timer.time((enc) => op.encode(enc));
        method = t.method;
        if (r >= 0) ms[i] = Math.min(ms[i]!, t.ms);
      }
    }
    return { ms, method };
  } finally {
    for (const op of ops) op.destroy();
    timer.destroy();
    for (const b of Object.values(bufs)) b.destroy();
  }
}
