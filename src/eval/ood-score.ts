/**
 * Out-of-distribution score: how far a feature vector lies from every class of a labelled set.
 *
 * The score is the Mahalanobis distance to the nearest class centre under one within-class
 * covariance shared by all classes, in standardised coordinates (each feature centred on the
 * set's mean and divided by its spread). Standardising removes the large component every pooled
 * feature vector shares (raw cosine similarity is dominated by it: everything looks alike); the
 * covariance weighs each direction by how much the set's own shapes vary along it, so a shape
 * that moves along a direction no class moves along counts as far. The covariance is shrunk
 * towards a multiple of the identity by the Ledoit–Wolf amount (at least 1 %), so it can be
 * inverted with fewer shapes than features; with more features than shapes the inverse is
 * applied through the shapes' Gram matrix (Woodbury identity), never as a d × d matrix.
 *
 * The threshold comes from the set itself (`calibrateOod`): each shape is scored by a model
 * fitted without it (stratified K-fold cross-fitting), and the threshold is the conformal
 * (1 − α) quantile of those held-out scores, so a new shape drawn like the set's own shapes is
 * called out of distribution with probability at most α (the stated false-alarm rate).
 */
import { cholesky, inverseQuadratic } from './cholesky';

/** Rows [n, d] as float32 or float64. */
type Rows = Float32Array | Float64Array;

/** A fitted score: standardiser, class centres and the shrunk shared covariance. */
export interface OodModel {
  dim: number;
  /** Distinct labels, in the order of the centres. */
  classes: Int32Array;
  /** Ledoit–Wolf shrinkage towards the identity actually used, in [0.01, 1]. */
  shrinkage: number;
  /** Mahalanobis distance of a feature vector [d] to each class centre, nearest first. */
  distances(q: ArrayLike<number>): { label: number; distance: number }[];
}

/** Per-feature spread below this share of the median spread counts as the floor (a near-constant feature must not blow a query up). */
const SPREAD_FLOOR = 0.1;
/** Least shrinkage, so the covariance stays well conditioned whatever the estimate says. */
const MIN_SHRINKAGE = 0.01;

function standardiser(x: Rows, rows: readonly number[], d: number) {
  const mean = new Float64Array(d); // [d]
  const scale = new Float64Array(d); // [d]
  for (const i of rows) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / rows.length;
  for (const i of rows)
    for (let j = 0; j < d; j++) scale[j]! += (x[i * d + j]! - mean[j]!) ** 2 / rows.length;
  for (let j = 0; j < d; j++) scale[j] = Math.sqrt(scale[j]!);
  const sorted = Float64Array.from(scale).sort();
  const floor = Math.max(SPREAD_FLOOR * sorted[Math.floor(d / 2)]!, 1e-12);
  for (let j = 0; j < d; j++) scale[j] = Math.max(scale[j]!, floor);
  return (src: ArrayLike<number>, off: number, out: Float64Array) => {
    for (let j = 0; j < d; j++) out[j] = (src[off + j]! - mean[j]!) / scale[j]!;
    return out;
  };
}

/**
 * Fits the score on rows `rows` (default all) of x [n, d] with labels [n]. Needs at least two
 * rows and some spread within the classes.
 */
export function fitOod(
  x: Rows,
  labels: ArrayLike<number>,
  d: number,
  rows: readonly number[] = Array.from({ length: labels.length }, (_, i) => i),
): OodModel {
  const m = rows.length;
  if (m < 2) throw new Error(`out-of-distribution score: needs at least 2 shapes, got ${m}`);
  const z = standardiser(x, rows, d);
  const classes = Int32Array.from(new Set(rows.map((i) => labels[i]!))).sort();
  const C = classes.length;
  const slot = new Map(Array.from(classes, (l, c) => [l, c]));
  const centres = new Float64Array(C * d); // [C, d] standardised
  const counts = new Float64Array(C);
  const zs = new Float64Array(m * d); // [m, d] standardised rows
  rows.forEach((i, r) => {
    const c = slot.get(labels[i]!)!;
    z(x, i * d, zs.subarray(r * d, (r + 1) * d));
    for (let j = 0; j < d; j++) centres[c * d + j]! += zs[r * d + j]!;
    counts[c]!++;
  });
  for (let c = 0; c < C; c++) for (let j = 0; j < d; j++) centres[c * d + j]! /= counts[c]!;
  // Residuals X [m, d]: each row minus its class centre. S = XᵀX / m.
  const X = zs;
  rows.forEach((i, r) => {
    const c = slot.get(labels[i]!)!;
    for (let j = 0; j < d; j++) X[r * d + j]! -= centres[c * d + j]!;
  });

  // The smaller Gram matrix: K = X·Xᵀ [m, m] when m ≤ d (dual), else G = Xᵀ·X [d, d] (primal).
  const dual = m <= d;
  const g = dual ? m : d;
  const gram = new Float64Array(g * g); // [g, g]
  if (dual) {
    for (let a = 0; a < m; a++) {
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += X[a * d + j]! * X[b * d + j]!;
        gram[a * m + b] = s;
        gram[b * m + a] = s;
      }
    }
  } else {
    for (let r = 0; r < m; r++) {
      for (let a = 0; a < d; a++) {
        const xa = X[r * d + a]!;
        if (xa === 0) continue;
        for (let b = 0; b <= a; b++) gram[a * d + b]! += xa * X[r * d + b]!;
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) gram[b * d + a] = gram[a * d + b]!;
  }

  // Ledoit–Wolf shrinkage of S towards μ·I (μ = tr S / d), from the Gram matrix and row norms:
  // ‖S‖²_F = ‖gram‖²_F / m², δ² = ‖S − μI‖²_F = ‖S‖²_F − (tr S)² / d,
  // β̄² = (1/m²) Σ_k ‖x_k x_kᵀ − S‖²_F = (Σ_k |x_k|⁴ − ‖gram‖²_F / m) / m², α = min(1, β̄² / δ²).
  let gramF2 = 0;
  for (let i = 0; i < g * g; i++) gramF2 += gram[i]! ** 2;
  let trace = 0;
  let fourth = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[r * d + j]! ** 2;
    trace += s / m;
    fourth += s * s;
  }
  if (!(trace > 0)) {
    throw new Error(
      'out-of-distribution score: the shapes do not vary within their classes (every residual is 0)',
    );
  }
  const mu = trace / d;
  const delta2 = gramF2 / (m * m) - (trace * trace) / d;
  const beta2 = Math.max(0, (fourth - gramF2 / m) / (m * m));
  const alpha = Math.min(1, Math.max(MIN_SHRINKAGE, delta2 > 0 ? beta2 / delta2 : 1));
  // Σ = (1 − α)·S + α·μ·I = β·I + c·XᵀX.
  const beta = alpha * mu;
  const c = (1 - alpha) / m;

  // Primal: factor Σ itself. Dual: factor (β/c)·I + K and use
  // vᵀΣ⁻¹v = (|v|² − (Xv)ᵀ((β/c)·I + K)⁻¹(Xv)) / β (Woodbury).
  let factor: Float64Array | undefined;
  if (c > 0) {
    const a = new Float64Array(g * g);
    for (let i = 0; i < g * g; i++) a[i] = dual ? gram[i]! : c * gram[i]!;
    for (let i = 0; i < g; i++) a[i * g + i]! += dual ? beta / c : beta;
    factor = cholesky(a, g);
  }
  // Precomputed for the dual form: X·μ_c [C, m] and |μ_c|² [C].
  const Xmu = new Float64Array(dual ? C * m : 0);
  const muNorm = new Float64Array(C);
  for (let k = 0; k < C; k++) {
    for (let j = 0; j < d; j++) muNorm[k]! += centres[k * d + j]! ** 2;
    if (dual) {
      for (let r = 0; r < m; r++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += X[r * d + j]! * centres[k * d + j]!;
        Xmu[k * m + r] = s;
      }
    }
  }

  const q = new Float64Array(d); // [d] standardised query
  const v = new Float64Array(d); // [d] query minus a centre
  const Xq = new Float64Array(dual ? m : 0); // [m]
  const u = new Float64Array(dual ? m : 0); // [m]
  const quadratic = (k: number): number => {
    if (!factor) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (q[j]! - centres[k * d + j]!) ** 2;
      return s / beta;
    }
    if (!dual) {
      for (let j = 0; j < d; j++) v[j] = q[j]! - centres[k * d + j]!;
      return inverseQuadratic(factor, d, v);
    }
    let vv = 0;
    for (let j = 0; j < d; j++) vv += (q[j]! - centres[k * d + j]!) ** 2;
    for (let r = 0; r < m; r++) u[r] = Xq[r]! - Xmu[k * m + r]!;
    return Math.max(0, vv - inverseQuadratic(factor, m, u)) / beta;
  };

  return {
    dim: d,
    classes,
    shrinkage: alpha,
    distances(query) {
      if (query.length !== d)
        throw new Error(`out-of-distribution score: query has ${query.length} features, the set ${d}`);
      z(query, 0, q);
      if (dual) {
        for (let r = 0; r < m; r++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += X[r * d + j]! * q[j]!;
          Xq[r] = s;
        }
      }
      return Array.from(classes, (label, k) => ({ label, distance: Math.sqrt(quadratic(k)) })).sort(
        (a, b) => a.distance - b.distance || a.label - b.label,
      );
    },
  };
}

/** The score with its threshold, calibrated on the set's own shapes. */
export interface OodCalibration {
  model: OodModel;
  /** Distances above this are out of distribution. */
  threshold: number;
  /** The false-alarm rate asked for (α). */
  falseAlarm: number;
  /** Each shape's distance under the model fitted without its fold [n]. */
  heldOut: Float64Array;
  folds: number;
}

export interface OodVerdict {
  /** Mahalanobis distance to the nearest class centre (standardised features, shared shrunk covariance). */
  distance: number;
  /** The nearest centre's label. */
  nearestLabel: number;
  threshold: number;
  falseAlarm: number;
  /** True when distance > threshold. */
  outOfDistribution: boolean;
  /** Share of the set's own held-out shapes at least this far (a conformal p-value, (1 + count) / (n + 1)). */
  pValue: number;
  /** Shapes the threshold was calibrated on. */
  calibrationShapes: number;
}

/**
 * Fits on all n rows of x [n, d] and sets the threshold for false-alarm rate `falseAlarm`: the
 * ⌈(n + 1)(1 − α)⌉-th smallest held-out distance (the largest one when n is too small for α).
 * Folds are stratified: the i-th shape of each class goes to fold i mod K.
 */
export function calibrateOod(
  x: Rows,
  labels: ArrayLike<number>,
  d: number,
  o: { falseAlarm?: number; folds?: number } = {},
): OodCalibration {
  const n = labels.length;
  const falseAlarm = o.falseAlarm ?? 0.05;
  if (!(falseAlarm > 0 && falseAlarm < 1))
    throw new Error(`false-alarm rate must be in (0, 1), got ${falseAlarm}`);
  const K = Math.max(2, Math.min(o.folds ?? 5, n));
  const seen = new Map<number, number>();
  const fold = Int32Array.from({ length: n }, (_, i) => {
    const k = seen.get(labels[i]!) ?? 0;
    seen.set(labels[i]!, k + 1);
    return k % K;
  });
  const heldOut = new Float64Array(n); // [n]
  for (let f = 0; f < K; f++) {
    const fit: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? out : fit).push(i);
    if (!out.length) continue;
    const model = fitOod(x, labels, d, fit);
    for (const i of out) heldOut[i] = model.distances(x.subarray(i * d, (i + 1) * d))[0]!.distance;
  }
  const sorted = Float64Array.from(heldOut).sort();
  const rank = Math.min(n, Math.ceil((n + 1) * (1 - falseAlarm)));
  return { model: fitOod(x, labels, d), threshold: sorted[rank - 1]!, falseAlarm, heldOut, folds: K };
}

/** The verdict on one feature vector [d]. */
export function oodVerdict(cal: OodCalibration, q: ArrayLike<number>): OodVerdict {
  const nearest = cal.model.distances(q)[0]!;
  let atLeast = 0;
  for (const s of cal.heldOut) if (s >= nearest.distance) atLeast++;
  return {
    distance: nearest.distance,
    nearestLabel: nearest.label,
    threshold: cal.threshold,
    falseAlarm: cal.falseAlarm,
    outOfDistribution: nearest.distance > cal.threshold,
    pValue: (1 + atLeast) / (cal.heldOut.length + 1),
    calibrationShapes: cal.heldOut.length,
  };
}
