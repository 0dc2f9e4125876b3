/**
 * Frozen features with their labels, as the evaluation protocols take them, plus the checks and
 * the standardisation they share.
 */
import { InputError } from '../util/errors';

/** `features` is [n, d] row-major, `labels` [n]. */
export interface FeatureSet {
  features: Float32Array | Float64Array;
  labels: Int32Array;
}

/**
 * Checks that a feature set is [n, d] with n = labels.length ≥ 1 and only finite values; returns d.
 * Throws InputError naming `what` (e.g. "train") and the first bad row.
 */
export function checkFeatureSet(set: FeatureSet, what: string): number {
  const n = set.labels.length;
  if (n === 0) throw new InputError(`${what}: no samples`);
  if (set.features.length % n !== 0 || set.features.length === 0) {
    throw new InputError(
      `${what}: ${set.features.length} feature values do not form ${n} rows (one per label)`,
    );
  }
  const d = set.features.length / n;
  for (let i = 0; i < set.features.length; i++) {
    if (!Number.isFinite(set.features[i]!)) {
      const row = Math.floor(i / d);
      throw new InputError(
        `${what}: feature ${i % d} of sample ${row} is ${set.features[i]} (NaN or infinite)`,
      );
    }
  }
  return d;
}

/** Per-column mean and population std of x [n, d] (StandardScaler; a std of 0 becomes 1). */
export function fitScaler(x: Float32Array | Float64Array, n: number, d: number) {
  const mean = new Float64Array(d); // [d]
  const std = new Float64Array(d); // [d]
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const c = x[i * d + j]! - mean[j]!;
      std[j]! += c * c;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j]! / n);
    // Relative threshold as sklearn's: a column constant up to rounding is treated as constant.
    std[j] = s < 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j]!)) ? 1 : s;
  }
  return { mean, std };
}

/** (x − mean) / std, row by row, into a new Float64Array [n, d]. */
export function applyScaler(
  x: Float32Array | Float64Array,
  s: { mean: Float64Array; std: Float64Array },
): Float64Array {
  const d = s.mean.length;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - s.mean[i % d]!) / s.std[i % d]!;
  return out;
}

/** Rows `idx` of x [n, d] as a new Float64Array [idx.length, d]. */
export function gatherRows(x: Float32Array | Float64Array, d: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * d);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    for (let j = 0; j < d; j++) out[r * d + j] = x[i * d + j]!;
  }
  return out;
}

/** Fraction of predictions equal to the labels, in [0, 1] (0 for no rows): sklearn's score. */
export function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return y.length ? ok / y.length : 0;
}
