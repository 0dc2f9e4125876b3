import { type GpuTimer, medianTime, type Timing } from '../src/gpu/timer';

export interface Measured extends Timing {
  /** Timed runs behind the median (1 when a single run already exceeded the budget). */
  runs: number;
}

/**
 * Median time of warm runs. One untimed run first (pipeline warm-up, and an estimate of the
 * cost); then as many runs as fit `budgetMs`, between 1 and maxRuns. A case slower than the
 * budget reports its single warm-up run rather than taking minutes.
 */
export async function measure(
  timer: GpuTimer,
  encode: (enc: GPUCommandEncoder) => void,
  budgetMs: number,
  maxRuns: number,
): Promise<Measured> {
  const first = await timer.time(encode);
  if (first.ms >= budgetMs) return { ...first, runs: 1 };
  const runs = Math.max(1, Math.min(maxRuns, Math.floor(budgetMs / first.ms)));
  return { ...(await medianTime(timer, encode, runs, 0)), runs };
}
