/**
 * Trained against random init on the same episodes: both encoders are scored on identical
 * episodes (same seed, same labels), so the per-episode differences are paired and their
 * standard error says whether the gap is more than episode-to-episode noise.
 */
export interface PairedDifference {
  /** Mean of trained − random, in accuracy units ([−1, 1]). */
  mean: number;
  /** Standard error of that mean (sample sd / √n); NaN for fewer than two episodes. */
  se: number;
  better: number;
  equal: number;
  worse: number;
}

export function pairedDifference(trained: readonly number[], random: readonly number[]): PairedDifference {
  if (trained.length !== random.length || trained.length === 0)
    throw new Error(`pairedDifference: ${trained.length} and ${random.length} episodes`);
  const d = trained.map((t, i) => t - random[i]!);
  const n = d.length;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const se = n < 2 ? Number.NaN : Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
  // Equal within float noise: accuracies are ratios of small integers.
  const eps = 1e-9;
  return {
    mean,
    se,
    better: d.filter((x) => x > eps).length,
    equal: d.filter((x) => Math.abs(x) <= eps).length,
    worse: d.filter((x) => x < -eps).length,
  };
}
