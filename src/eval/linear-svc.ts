/**
 * A linear SVM with scikit-learn's LinearSVC defaults: one-vs-rest, squared hinge loss, L2
 * penalty, an intercept fitted as an extra constant feature (intercept_scaling 1, so the
 * intercept is regularised like any weight), tol 1e-4, max_iter 1000. Solved, as liblinear
 * does, by dual coordinate descent (Hsieh et al., ICML 2008) with a random permutation of the
 * samples each outer iteration and shrinking of variables stuck at their bound. All in Float64.
 *
 * Primal, per binary problem with y ∈ {−1, +1} and x̃ = [x ; s] (s = intercept_scaling):
 *   min_w  ½‖w‖² + C Σ max(0, 1 − y_i wᵀx̃_i)²
 * Dual (the solver's form): min_{α ≥ 0}  ½ αᵀ(Q + I/(2C))α − Σα,  Q_ij = y_i y_j x̃_iᵀx̃_j,
 * with w = Σ α_i y_i x̃_i. At the optimum primal = −dual and α_i = 2C·max(0, 1 − y_i wᵀx̃_i).
 */
import { Rng } from '../util/random';
import { accuracy } from './features';

export interface LinearSVCOptions {
  /** Inverse regularisation strength (sklearn's default is 1; CrossPoint's SVM eval uses 0.01). */
  C?: number;
  /** Stopping tolerance on the projected-gradient spread (sklearn: 1e-4). */
  tol?: number;
  /** Outer iterations per binary problem (sklearn: 1000). */
  maxIter?: number;
  /** Seeds the permutation (liblinear draws it from rand()). */
  seed?: number;
  /** liblinear always shrinks; off gives plain cyclic-random coordinate descent. */
  shrinking?: boolean;
  fitIntercept?: boolean;
  interceptScaling?: number;
}

export type Features = Float32Array | Float64Array;

export interface BinaryResult {
  /** [d] weights, then the weight of the constant feature (absent when no intercept). */
  w: Float64Array;
  /** [n] dual variables. */
  alpha: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * Solves one binary problem. `x` is [n, d] row-major, `y` holds ±1, `bias` is the value of the
 * appended constant feature (negative: none). liblinear's solve_l2r_l1l2_svc for the L2 loss.
 */
export function solveL2LossDual(
  x: Float64Array,
  n: number,
  d: number,
  y: Int8Array,
  C: number,
  bias: number,
  opts: { tol: number; maxIter: number; rng: Rng; shrinking: boolean },
): BinaryResult {
  const hasBias = bias >= 0;
  const w = new Float64Array(d + (hasBias ? 1 : 0)); // [d (+1)]
  const alpha = new Float64Array(n); // [n]
  const diag = 0.5 / C; // D_ii of the L2-loss dual
  const qd = new Float64Array(n); // [n] diagonal of Q + D
  for (let i = 0; i < n; i++) {
    let s = diag + (hasBias ? bias * bias : 0);
    const row = i * d;
    for (let j = 0; j < d; j++) s += x[row + j]! * x[row + j]!;
    qd[i] = s;
  }
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  let active = n;
  // Only the lower bound α = 0 exists for the L2 loss, so only the upper PG threshold shrinks.
  let pgMaxOld = Number.POSITIVE_INFINITY;
  let iter = 0;
  let converged = false;
  while (iter < opts.maxIter) {
    let pgMax = Number.NEGATIVE_INFINITY;
    let pgMin = Number.POSITIVE_INFINITY;
    for (let i = 0; i < active; i++) {
      const j = i + opts.rng.int(active - i);
      const t = index[i]!;
      index[i] = index[j]!;
      index[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = index[s]!;
      const yi = y[i]!;
      const row = i * d;
      let dot = hasBias ? w[d]! * bias : 0;
      for (let j = 0; j < d; j++) dot += w[j]! * x[row + j]!;
      const g = yi * dot - 1 + alpha[i]! * diag;
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld && opts.shrinking) {
          // At the bound with a gradient pushing outwards: drop it from the active set.
          active--;
          index[s] = index[active]!;
          index[active] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i]!;
        const a = Math.max(old - g / qd[i]!, 0);
        alpha[i] = a;
        const step = (a - old) * yi;
        for (let j = 0; j < d; j++) w[j]! += step * x[row + j]!;
        if (hasBias) w[d]! += step * bias;
      }
    }
    iter++;
    if (pgMax - pgMin <= opts.tol) {
      if (active === n) {
        converged = true;
        break;
      }
      // Converged on the shrunk set: check every variable once more.
      active = n;
      pgMaxOld = Number.POSITIVE_INFINITY;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Number.POSITIVE_INFINITY : pgMax;
  }
  return { w, alpha, iterations: iter, converged };
}

/** A fitted one-vs-rest linear SVM. */
export class LinearSVC {
  constructor(
    /** Sorted distinct training labels. */
    readonly classes: Int32Array,
    /** [m, d] with m = 1 for two classes (positive = classes[1]), else one row per class. */
    readonly coef: Float64Array,
    /** [m] */
    readonly intercept: Float64Array,
    readonly nFeatures: number,
    /** Outer iterations of each binary problem. */
    readonly iterations: number[],
    /** False when some binary problem hit maxIter (sklearn's ConvergenceWarning). */
    readonly converged: boolean,
  ) {}

  get nModels(): number {
    return this.intercept.length;
  }

  /** [n, m] scores (m = 1 for a binary model). */
  decisionFunction(x: Features, n = x.length / this.nFeatures): Float64Array {
    const d = this.nFeatures;
    if (x.length !== n * d)
      throw new Error(`decisionFunction: expected [${n}, ${d}] features, got ${x.length} values`);
    const m = this.nModels;
    const out = new Float64Array(n * m); // [n, m]
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < m; k++) {
        let s = this.intercept[k]!;
        const row = k * d;
        for (let j = 0; j < d; j++) s += this.coef[row + j]! * x[i * d + j]!;
        out[i * m + k] = s;
      }
    }
    return out;
  }

  predict(x: Features, n = x.length / this.nFeatures): Int32Array {
    const f = this.decisionFunction(x, n);
    const m = this.nModels;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (m === 1) {
        out[i] = this.classes[f[i]! > 0 ? 1 : 0]!;
        continue;
      }
      let best = 0; // first maximum wins, as numpy's argmax
      for (let k = 1; k < m; k++) if (f[i * m + k]! > f[i * m + best]!) best = k;
      out[i] = this.classes[best]!;
    }
    return out;
  }

  /** Mean accuracy in [0, 1]. */
  score(x: Features, y: Int32Array): number {
    return accuracy(this.predict(x, y.length), y);
  }
}

/** Fits one-vs-rest on `x` [n, d] with integer labels `y` [n]. Needs at least two classes. */
export function fitLinearSVC(x: Features, y: Int32Array, opts: LinearSVCOptions = {}): LinearSVC {
  const C = opts.C ?? 1;
  const tol = opts.tol ?? 1e-4;
  const maxIter = opts.maxIter ?? 1000;
  const fitIntercept = opts.fitIntercept ?? true;
  const scaling = opts.interceptScaling ?? 1;
  if (!(C > 0)) throw new Error(`LinearSVC: C must be positive (got ${C})`);
  const n = y.length;
  if (n === 0 || x.length % n !== 0) {
    throw new Error(`LinearSVC: ${x.length} feature values do not split into ${n} rows`);
  }
  const d = x.length / n;
  const xs = x instanceof Float64Array ? x : Float64Array.from(x);
  const classes = Int32Array.from(new Set(y)).sort();
  if (classes.length < 2) {
    throw new Error(`LinearSVC: needs at least 2 classes in the training labels (got ${classes.length})`);
  }
  const positives = classes.length === 2 ? [classes[1]!] : Array.from(classes);
  const m = positives.length;
  const coef = new Float64Array(m * d);
  const intercept = new Float64Array(m);
  const iterations: number[] = [];
  let converged = true;
  const rng = new Rng(opts.seed ?? 0);
  const yy = new Int8Array(n);
  positives.forEach((pos, k) => {
    for (let i = 0; i < n; i++) yy[i] = y[i] === pos ? 1 : -1;
    const r = solveL2LossDual(xs, n, d, yy, C, fitIntercept ? scaling : -1, {
      tol,
      maxIter,
      rng,
      shrinking: opts.shrinking ?? true,
    });
    coef.set(r.w.subarray(0, d), k * d);
    intercept[k] = fitIntercept ? r.w[d]! * scaling : 0;
    iterations.push(r.iterations);
    converged &&= r.converged;
  });
  return new LinearSVC(classes, coef, intercept, d, iterations, converged);
}

/** The primal objective ½‖w‖² + C Σ max(0, 1 − y_i wᵀx̃_i)² of one binary problem (for tests and logs). */
export function primalObjective(
  x: Float64Array,
  n: number,
  d: number,
  y: Int8Array,
  w: Float64Array,
  C: number,
  bias: number,
): number {
  let reg = 0;
  for (let j = 0; j < w.length; j++) reg += w[j]! * w[j]!;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let dot = bias >= 0 ? w[d]! * bias : 0;
    for (let j = 0; j < d; j++) dot += w[j]! * x[i * d + j]!;
    const h = Math.max(0, 1 - y[i]! * dot);
    loss += h * h;
  }
  return 0.5 * reg + C * loss;
}

/** The dual objective ½‖w‖² + Σ α_i²/(4C) − Σ α_i (minimised), with w = Σ α_i y_i x̃_i. */
export function dualObjective(alpha: Float64Array, w: Float64Array, C: number): number {
  let reg = 0;
  for (let j = 0; j < w.length; j++) reg += w[j]! * w[j]!;
  let s = 0;
  for (let i = 0; i < alpha.length; i++) s += (alpha[i]! * alpha[i]!) / (4 * C) - alpha[i]!;
  return 0.5 * reg + s;
}
