/**
 * TensorBoard's scalar smoothing: an exponential moving average with weight w ∈ [0, 1), debiased
 * like Adam's moments (divided by 1 − w^k after k finite values) so the curve's start is not
 * pulled towards 0. Non-finite values (a switched-off loss term) stay gaps and do not enter the
 * average. w = 0 returns the values unchanged.
 */
export function emaSmooth(ys: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let k = 0;
  return ys.map((y) => {
    if (!Number.isFinite(y)) return Number.NaN;
    last = last * w + (1 - w) * y;
    k++;
    return w === 0 ? y : last / (1 - w ** k);
  });
}
