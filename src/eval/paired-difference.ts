/**
 * Trained against random init on the same draws: both encoders are scored on identical
 * episodes or labelled subsets (same seed, same labels), so the per-draw differences are paired
 * and their standard error says whether the gap is more than draw-to-draw noise.
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

/** Mean and standard error (sample sd with n − 1, over √n) of values; se NaN for n < 2. */
export function meanAndSe(values: readonly number[]): { mean: number; se: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, se: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const se = n < 2 ? Number.NaN : Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) / n);
  return { mean, se, n };
}

export function pairedDifference(trained: readonly number[], random: readonly number[]): PairedDifference {
  if (trained.length !== random.length || trained.length === 0)
    throw new Error(`pairedDifference: ${trained.length} and ${random.length} episodes`);
  const d = trained.map((t, i) => t - random[i]!);
  const { mean, se } = meanAndSe(d);
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

/**
 * Trained − random over S random-init seeds × J draws (labelled subsets or episodes), where the
 * trained encoder has one accuracy per draw and each random init one per draw on the same draws.
 * Two sources of noise: which draw, which init. `se_draws` pairs by draw (the random accuracy of a
 * draw averaged over seeds; SE over the J draws), `se_seeds` pairs by init seed (each seed's
 * difference averaged over draws; SE over the S seeds); `se` = √(se_draws² + se_seeds²) counts
 * both (slightly conservative: their shared interaction term is counted twice). A missing part
 * (J = 1 or S = 1) counts 0, and `se` is NaN when both are missing.
 */
export interface PairedGrid {
  mean: number;
  se: number;
  se_draws: number;
  se_seeds: number;
  seeds: number;
  draws: number;
  /** Trained accuracy averaged over draws. */
  trained: number;
  /** Random-init accuracy averaged over draws, per seed: its spread is the random-init band. */
  random_by_seed: number[];
  /** Mean and SE over seeds of random_by_seed. */
  random: { mean: number; se: number };
}

/** `trained` [J] accuracies by draw, `random` [S][J] by init seed then draw. */
export function pairedGrid(trained: readonly number[], random: readonly (readonly number[])[]): PairedGrid {
  const J = trained.length;
  const S = random.length;
  if (J === 0 || S === 0) throw new Error(`pairedGrid: ${J} draws and ${S} seeds`);
  for (const [s, row] of random.entries())
    if (row.length !== J) throw new Error(`pairedGrid: seed ${s} has ${row.length} draws, trained ${J}`);
  const byDraw = trained.map((t, j) => t - random.reduce((a, row) => a + row[j]!, 0) / S); // [J]
  const trainedMean = meanAndSe(trained).mean;
  const randomBySeed = random.map((row) => meanAndSe(row).mean); // [S]
  const bySeed = randomBySeed.map((r) => trainedMean - r); // [S]
  const d = meanAndSe(byDraw);
  const s = meanAndSe(bySeed);
  const part = (x: number) => (Number.isNaN(x) ? 0 : x * x);
  const se = J < 2 && S < 2 ? Number.NaN : Math.sqrt(part(d.se) + part(s.se));
  const r = meanAndSe(randomBySeed);
  return {
    mean: d.mean,
    se,
    se_draws: d.se,
    se_seeds: s.se,
    seeds: S,
    draws: J,
    trained: trainedMean,
    random_by_seed: randomBySeed,
    random: { mean: r.mean, se: r.se },
  };
}
