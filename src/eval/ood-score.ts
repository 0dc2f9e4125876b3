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
 * Each class's distance is divided by √(1 + 1/n_c), n_c its shapes (the predictive distance): a
 * new shape differs from a centre estimated from n_c shapes by its own spread plus the centre's
 * error, Σ·(1 + 1/n_c), so a class of one shape is not held to the standard of a class of fifty,
 * and a distance from a model fitted without a shape (calibration) and one from the model of all
 * shapes (a query) are on the same scale. The covariance is the pooled within-class one (divided
 * by shapes − classes, the residuals' degrees of freedom).
 *
 * The threshold comes from the set itself (`calibrateOod`): each shape is scored by a model
 * fitted without it (leave-one-out; K-fold cross-fitting for large sets), exactly as a query is
 * scored; shapes whose class has no other shape are left out (without them their class does not
 * exist). The threshold is the conformal (1 − α) quantile of those held-out scores, so a new shape
 * drawn like the set's own shapes is called out of distribution with probability at most α (the
 * stated false-alarm rate). With fewer than about 2/α held-out scores that quantile is their
 * largest one, which says more about the set's oddest shape than about α (with 32 real shapes it
 * flagged nothing); then the threshold is the (1 − α) quantile of a log-normal fitted to them.
 */
import { cholesky, inverseQuadratic } from './cholesky';

/** Rows [n, d] as float32 or float64. */
type Rows = Float32Array | Float64Array;

/** A fitted score: standardiser, class centres and the shrunk shared covariance. */
export interface OodModel {
  dim: number;
  /** Distinct labels, in the order of the centres. */
  classes: Int32Array;
  /** Shapes of each class, in the order of `classes`. */
  counts: Int32Array;
  /** Ledoit–Wolf shrinkage towards the identity actually used, in [0.01, 1]. */
  shrinkage: number;
  /** Predictive Mahalanobis distance of a feature vector [d] to each class centre, nearest first. */
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
  if (m <= C)
    throw new Error(
      'out-of-distribution score: needs a class with at least 2 shapes (every class has one shape, so nothing says how shapes vary within a class)',
    );
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
  // Each class's centre error adds Σ/n_c to a new shape's spread about it (see the file's head).
  const predictive = Float64Array.from(counts, (n) => 1 + 1 / n); // [C]
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
  // S above divides by m; the pooled within-class covariance by m − C (one centre per class).
  const dof = (m - C) / m;
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
    counts: Int32Array.from(counts),
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
      return Array.from(classes, (label, k) => ({
        label,
        distance: Math.sqrt((quadratic(k) * dof) / predictive[k]!),
      })).sort((a, b) => a.distance - b.distance || a.label - b.label);
    },
  };
}

/** Up to this many shapes, each is held out on its own (leave-one-out); above, 10-fold. */
const LEAVE_ONE_OUT_MAX = 160;

/** The score with its threshold, calibrated on the set's own shapes. */
export interface OodCalibration {
  model: OodModel;
  /** Distances above this are out of distribution. */
  threshold: number;
  /** The false-alarm rate asked for (α). */
  falseAlarm: number;
  /**
   * Held-out distance of each shape that could be held out (its class has another shape), each
   * under a model fitted without it, in the order of the set [n − leftOut].
   */
  heldOut: Float64Array;
  /** Shapes not held out: the only shape of their class. */
  leftOut: number;
  /** Folds of the cross-fitting (the number of shapes: leave-one-out). */
  folds: number;
  /**
   * How the threshold was set: 'quantile', the conformal (1 − α) quantile of the held-out
   * distances; 'log-normal', the (1 − α) quantile of a log-normal fitted to them, when they are
   * too few for the conformal quantile to be any but the largest.
   */
  method: 'quantile' | 'log-normal';
  /** Mean and standard deviation of the held-out distances' logarithms (the log-normal's parameters). */
  logMean: number;
  logSd: number;
}

export interface OodVerdict {
  /** Predictive Mahalanobis distance to the nearest class centre (standardised features, shared shrunk covariance). */
  distance: number;
  /** The nearest centre's label. */
  nearestLabel: number;
  threshold: number;
  falseAlarm: number;
  /** True when distance > threshold. */
  outOfDistribution: boolean;
  /**
   * How unusual the distance is among the set's own held-out shapes: the share at least this far,
   * (1 + count) / (n + 1), or with the log-normal threshold the fitted tail probability.
   */
  pValue: number;
  /** Held-out distances the threshold was set from. */
  calibrationShapes: number;
  /** Shapes of the reference not held out (the only shape of their class). */
  leftOut: number;
  method: OodCalibration['method'];
}

/** Standard normal cumulative distribution (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** The z with normalCdf(z) = p, by bisection (p in (0, 1)). */
export function normalQuantile(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Fits on all n rows of x [n, d] and sets the threshold for false-alarm rate `falseAlarm` from
 * held-out distances (see the file's head). Folds: leave-one-out up to LEAVE_ONE_OUT_MAX shapes
 * (or when `folds` ≥ n), else `folds` (default 10) stratified folds, the i-th shape of each class
 * in fold i mod K. A shape whose class has no shape left in its fold's model is not scored.
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
  const model = fitOod(x, labels, d);
  const K = Math.max(2, Math.min(o.folds ?? (n <= LEAVE_ONE_OUT_MAX ? n : 10), n));
  const seen = new Map<number, number>();
  const fold = Int32Array.from({ length: n }, (_, i) => {
    if (K === n) return i;
    const k = seen.get(labels[i]!) ?? 0;
    seen.set(labels[i]!, k + 1);
    return k % K;
  });
  const scores: number[] = [];
  let leftOut = 0;
  for (let f = 0; f < K; f++) {
    const fit: number[] = [];
    const out: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? out : fit).push(i);
    if (!out.length) continue;
    const present = new Set(fit.map((i) => labels[i]!));
    const scored = out.filter((i) => present.has(labels[i]!));
    leftOut += out.length - scored.length;
    if (!scored.length) continue;
    const m = fitOod(x, labels, d, fit);
    for (const i of scored) scores.push(m.distances(x.subarray(i * d, (i + 1) * d))[0]!.distance);
  }
  if (scores.length < 2)
    throw new Error(
      `out-of-distribution score: only ${scores.length} of ${n} shapes can be held out (the others are the only shape of their class); the threshold needs at least 2`,
    );
  const heldOut = Float64Array.from(scores);
  const sorted = Float64Array.from(heldOut).sort();
  const h = sorted.length;
  const rank = Math.ceil((h + 1) * (1 - falseAlarm));
  const logs = Array.from(sorted, (v) => Math.log(Math.max(v, 1e-12)));
  const logMean = logs.reduce((a, v) => a + v, 0) / h;
  const logSd = Math.sqrt(logs.reduce((a, v) => a + (v - logMean) ** 2, 0) / (h - 1));
  const method = rank < h ? 'quantile' : 'log-normal';
  const threshold =
    method === 'quantile' ? sorted[rank - 1]! : Math.exp(logMean + normalQuantile(1 - falseAlarm) * logSd);
  return { model, threshold, falseAlarm, heldOut, leftOut, folds: K, method, logMean, logSd };
}

/** The verdict on one feature vector [d]. */
export function oodVerdict(cal: OodCalibration, q: ArrayLike<number>): OodVerdict {
  const nearest = cal.model.distances(q)[0]!;
  let pValue: number;
  if (cal.method === 'quantile') {
    let atLeast = 0;
    for (const s of cal.heldOut) if (s >= nearest.distance) atLeast++;
    pValue = (1 + atLeast) / (cal.heldOut.length + 1);
  } else {
    const z = (Math.log(Math.max(nearest.distance, 1e-12)) - cal.logMean) / Math.max(cal.logSd, 1e-12);
    pValue = 1 - normalCdf(z);
  }
  return {
    distance: nearest.distance,
    nearestLabel: nearest.label,
    threshold: cal.threshold,
    falseAlarm: cal.falseAlarm,
    outOfDistribution: nearest.distance > cal.threshold,
    pValue,
    calibrationShapes: cal.heldOut.length,
    leftOut: cal.leftOut,
    method: cal.method,
  };
}
