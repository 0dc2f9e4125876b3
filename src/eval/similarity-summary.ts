/**
 * One-number summaries of a cross-modal similarity matrix [n, n] (rows points, columns images of
 * the same objects in the same order): the mean of the diagonal (each object against its own
 * view) and the mean off the diagonal (against the other objects' views). Learning shows as the
 * gap between them growing; an untrained model has both near the same value.
 */
export interface DiagonalSummary {
  /** Mean cosine similarity of matching pairs. */
  diag: number;
  /** Mean cosine similarity of non-matching pairs (NaN when n < 2). */
  off: number;
}

export function diagonalSummary(sim: ArrayLike<number>, n: number): DiagonalSummary {
  if (sim.length !== n * n) throw new Error(`similarity matrix has ${sim.length} values, expected ${n}×${n}`);
  let diag = 0;
  let off = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      if (i === k) diag += sim[i * n + k]!;
      else off += sim[i * n + k]!;
    }
  }
  return { diag: n > 0 ? diag / n : Number.NaN, off: n > 1 ? off / (n * (n - 1)) : Number.NaN };
}
