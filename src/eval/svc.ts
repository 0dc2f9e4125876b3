/**
 * scikit-learn's `SVC(kernel='linear', C)` as libsvm computes it: hinge loss, the dual solved by
 * SMO with libsvm's second-order working-set selection (Fan, Chen & Lin, JMLR 2005, "WSS3"),
 * shrinking, stopping tolerance 1e-3, an unregularised intercept (libsvm's rho, from the free
 * support vectors or, without any, the midpoint of the bounds), and multi-class by one-vs-one with
 * voting (ties go to the lowest class index). Written from the papers and libsvm's documented
 * algorithm; all arithmetic in Float64 except the kernel values, which libsvm caches as float32
 * ("Qfloat"), so they are rounded to float32 here too.
 *
 * Binary dual (classes ±1), the solver's form:
 *   min_α ½ αᵀQα − Σα   s.t. 0 ≤ α_i ≤ C,  Σ y_i α_i = 0,   Q_ij = y_i y_j K(x_i, x_j)
 * with the decision f(x) = Σ y_i α_i K(x_i, x) − ρ. For the linear kernel f(x) = wᵀx − ρ,
 * w = Σ y_i α_i x_i.
 *
 * Optimality (what the solver stops on): with G = Qα − 1,
 *   m(α) = max_{i ∈ I_up} −y_i G_i,  M(α) = min_{i ∈ I_low} −y_i G_i,  stop when m − M < tol,
 * I_up = {α_i < C, y_i = +1} ∪ {α_i > 0, y_i = −1}, I_low = {α_i < C, y_i = −1} ∪ {α_i > 0, y_i = +1}.
 */
import type { Features } from './linear-svc';
import { accuracy } from './features';

export interface SVCOptions {
  /** Penalty of the hinge loss (sklearn's default 1; the paper's linear evaluation 0.01). */
  C?: number;
  /** Stopping tolerance on m(α) − M(α) (sklearn/libsvm: 1e-3). */
  tol?: number;
  /** libsvm's shrinking heuristic (sklearn: on). */
  shrinking?: boolean;
  /** SMO iterations per binary problem; −1 (sklearn's default) means no limit. */
  maxIter?: number;
  /** A precomputed linear kernel (e.g. from the GPU); default: computed here on the CPU. */
  kernel?: LinearKernel;
}

/** The linear kernel K = X Xᵀ of the training rows. */
export interface LinearKernel {
  readonly n: number;
  /** K(i, i) in float64 (libsvm keeps the diagonal in double). [n] */
  readonly diag: Float64Array;
  /** Row i of K rounded to float32, as libsvm's kernel cache holds it. [n] */
  row(i: number): Float32Array;
}

/** A kernel from a full [n, n] float32 Gram matrix plus the float64 diagonal. */
export function kernelFromGram(gram: Float32Array, n: number, diag: Float64Array): LinearKernel {
  if (gram.length !== n * n || diag.length !== n)
    throw new Error(
      `kernelFromGram: expected [${n}, ${n}] and [${n}], got ${gram.length} and ${diag.length}`,
    );
  return { n, diag, row: (i) => gram.subarray(i * n, (i + 1) * n) };
}

/** Float64 dot products of rows i and j of x [n, d] (4 accumulators: libsvm's BLAS order is unspecified too). */
function dot(x: Float64Array, a: number, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < d; k += 4) {
    s0 += x[a + k]! * x[b + k]!;
    s1 += x[a + k + 1]! * x[b + k + 1]!;
    s2 += x[a + k + 2]! * x[b + k + 2]!;
    s3 += x[a + k + 3]! * x[b + k + 3]!;
  }
  for (; k < d; k++) s0 += x[a + k]! * x[b + k]!;
  return s0 + s1 + s2 + s3;
}

/** The CPU linear kernel of x [n, d]: every entry once (the Gram is symmetric), float64 sums, stored float32. */
export function linearKernelCpu(x: Float64Array, n: number, d: number): LinearKernel {
  const gram = new Float32Array(n * n); // [n, n]
  const diag = new Float64Array(n); // [n]
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = dot(x, i * d, j * d, d);
      gram[i * n + j] = v;
      gram[j * n + i] = v;
      if (i === j) diag[i] = v;
    }
  }
  return kernelFromGram(gram, n, diag);
}

export interface BinarySolution {
  /** [l] α_i y_i of each variable, in the order of the problem's rows (libsvm's sv_coef). */
  coef: Float64Array;
  /** The intercept with the decision f(x) = Σ coef_i K(x_i, x) − rho. */
  rho: number;
  /** Dual objective ½αᵀQα − Σα at the solution. */
  obj: number;
  iterations: number;
  converged: boolean;
}

const TAU = 1e-12; // libsvm: the curvature used when a pair's is not positive

/**
 * One binary C-SVC problem on the rows `rows` (indices into the kernel) with labels `y` (±1), as
 * libsvm's Solver::Solve with Cp = Cn = C. Variables move between the active and shrunk parts by
 * swapping positions; `idx`, `y`, `alpha`, `G`, `Gbar`, `status` and `orig` are kept in position order.
 */
export function solveBinarySvc(
  kernel: LinearKernel,
  rows: Int32Array,
  labels: Int8Array,
  C: number,
  opts: { tol?: number; shrinking?: boolean; maxIter?: number } = {},
): BinarySolution {
  const l = rows.length;
  const eps = opts.tol ?? 1e-3;
  const shrinking = opts.shrinking ?? true;
  const maxIter = opts.maxIter === undefined || opts.maxIter < 0 ? Number.POSITIVE_INFINITY : opts.maxIter;
  const idx = Int32Array.from(rows); // [l] position → kernel row
  const y = Int8Array.from(labels); // [l]
  const orig = Int32Array.from({ length: l }, (_, i) => i); // [l] position → problem row
  const alpha = new Float64Array(l); // [l]
  const G = new Float64Array(l).fill(-1); // [l] gradient Qα + p, p = −1
  const Gbar = new Float64Array(l); // [l] C · Σ_{α_j = C} Q_ij (for rebuilding shrunk gradients)
  const status = new Uint8Array(l); // [l] 0 lower bound, 1 upper bound, 2 free
  const QD = Float64Array.from(idx, (g) => kernel.diag[g]!); // [l]
  const qi = new Float64Array(l); // [l] scratch row of Q
  const qj = new Float64Array(l); // [l] scratch row of Q
  let activeSize = l;
  let unshrink = false;

  const getQ = (pos: number, len: number, out: Float64Array) => {
    const krow = kernel.row(idx[pos]!);
    const yp = y[pos]!;
    for (let t = 0; t < len; t++) out[t] = yp * y[t]! * krow[idx[t]!]!;
    return out;
  };
  const isUpper = (t: number) => status[t] === 1;
  const isLower = (t: number) => status[t] === 0;
  const updateStatus = (t: number) => {
    status[t] = alpha[t]! >= C ? 1 : alpha[t]! <= 0 ? 0 : 2;
  };
  const swap = (a: number, b: number) => {
    for (const arr of [idx, orig] as Int32Array[]) [arr[a], arr[b]] = [arr[b]!, arr[a]!];
    [y[a], y[b]] = [y[b]!, y[a]!];
    [status[a], status[b]] = [status[b]!, status[a]!];
    for (const arr of [alpha, G, Gbar, QD]) [arr[a], arr[b]] = [arr[b]!, arr[a]!];
  };

  // G of the shrunk variables from Gbar and the free variables' contributions (libsvm's reconstruct_gradient).
  const reconstructGradient = () => {
    if (activeSize === l) return;
    for (let j = activeSize; j < l; j++) G[j] = Gbar[j]! - 1;
    let nFree = 0;
    for (let j = 0; j < activeSize; j++) if (status[j] === 2) nFree++;
    if (nFree * l > 2 * activeSize * (l - activeSize)) {
      for (let i = activeSize; i < l; i++) {
        const q = getQ(i, activeSize, qi);
        for (let j = 0; j < activeSize; j++) if (status[j] === 2) G[i]! += alpha[j]! * q[j]!;
      }
    } else {
      for (let i = 0; i < activeSize; i++) {
        if (status[i] !== 2) continue;
        const q = getQ(i, l, qi);
        const a = alpha[i]!;
        for (let j = activeSize; j < l; j++) G[j]! += a * q[j]!;
      }
    }
  };

  // Returns [i, j] or null when optimal within eps on the active set.
  const selectWorkingSet = (): [number, number] | null => {
    let gmax = Number.NEGATIVE_INFINITY;
    let gmax2 = Number.NEGATIVE_INFINITY;
    let gmaxIdx = -1;
    let gminIdx = -1;
    let objDiffMin = Number.POSITIVE_INFINITY;
    for (let t = 0; t < activeSize; t++) {
      if (y[t] === 1) {
        if (!isUpper(t) && -G[t]! >= gmax) {
          gmax = -G[t]!;
          gmaxIdx = t;
        }
      } else if (!isLower(t) && G[t]! >= gmax) {
        gmax = G[t]!;
        gmaxIdx = t;
      }
    }
    const i = gmaxIdx;
    const q = i !== -1 ? getQ(i, activeSize, qi) : null;
    for (let j = 0; j < activeSize; j++) {
      if (y[j] === 1) {
        if (isLower(j)) continue;
        const gradDiff = gmax + G[j]!;
        if (G[j]! >= gmax2) gmax2 = G[j]!;
        if (gradDiff > 0) {
          const quad = QD[i]! + QD[j]! - 2 * y[i]! * q![j]!;
          const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
          if (objDiff <= objDiffMin) {
            gminIdx = j;
            objDiffMin = objDiff;
          }
        }
      } else {
        if (isUpper(j)) continue;
        const gradDiff = gmax - G[j]!;
        if (-G[j]! >= gmax2) gmax2 = -G[j]!;
        if (gradDiff > 0) {
          const quad = QD[i]! + QD[j]! + 2 * y[i]! * q![j]!;
          const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
          if (objDiff <= objDiffMin) {
            gminIdx = j;
            objDiffMin = objDiff;
          }
        }
      }
    }
    if (gmax + gmax2 < eps || gminIdx === -1) return null;
    return [gmaxIdx, gminIdx];
  };

  const beShrunk = (t: number, gmax1: number, gmax2: number) => {
    if (isUpper(t)) return y[t] === 1 ? -G[t]! > gmax1 : -G[t]! > gmax2;
    if (isLower(t)) return y[t] === 1 ? G[t]! > gmax2 : G[t]! > gmax1;
    return false;
  };

  const doShrinking = () => {
    let gmax1 = Number.NEGATIVE_INFINITY; // max −y G over I_up
    let gmax2 = Number.NEGATIVE_INFINITY; // max  y G over I_low
    for (let t = 0; t < activeSize; t++) {
      if (y[t] === 1) {
        if (!isUpper(t) && -G[t]! >= gmax1) gmax1 = -G[t]!;
        if (!isLower(t) && G[t]! >= gmax2) gmax2 = G[t]!;
      } else {
        if (!isUpper(t) && -G[t]! >= gmax2) gmax2 = -G[t]!;
        if (!isLower(t) && G[t]! >= gmax1) gmax1 = G[t]!;
      }
    }
    // Close to optimal: bring every variable back once, so the final answer is checked on all.
    if (!unshrink && gmax1 + gmax2 <= eps * 10) {
      unshrink = true;
      reconstructGradient();
      activeSize = l;
    }
    for (let t = 0; t < activeSize; t++) {
      if (!beShrunk(t, gmax1, gmax2)) continue;
      activeSize--;
      while (activeSize > t) {
        if (!beShrunk(activeSize, gmax1, gmax2)) {
          swap(t, activeSize);
          break;
        }
        activeSize--;
      }
    }
  };

  let iter = 0;
  let counter = Math.min(l, 1000) + 1;
  let converged = false;
  while (iter < maxIter) {
    if (--counter === 0) {
      counter = Math.min(l, 1000);
      if (shrinking) doShrinking();
    }
    let ws = selectWorkingSet();
    if (ws === null) {
      reconstructGradient();
      activeSize = l;
      ws = selectWorkingSet();
      if (ws === null) {
        converged = true;
        break;
      }
      counter = 1; // shrink again on the next iteration
    }
    iter++;
    const [i, j] = ws;
    const Qi = getQ(i, activeSize, qi);
    const Qj = getQ(j, activeSize, qj);
    const oldAi = alpha[i]!;
    const oldAj = alpha[j]!;
    if (y[i] !== y[j]) {
      let quad = QD[i]! + QD[j]! + 2 * Qi[j]!;
      if (quad <= 0) quad = TAU;
      const delta = (-G[i]! - G[j]!) / quad;
      const diff = alpha[i]! - alpha[j]!;
      alpha[i]! += delta;
      alpha[j]! += delta;
      if (diff > 0) {
        if (alpha[j]! < 0) {
          alpha[j] = 0;
          alpha[i] = diff;
        }
      } else if (alpha[i]! < 0) {
        alpha[i] = 0;
        alpha[j] = -diff;
      }
      if (diff > 0) {
        // C_i − C_j = 0 with equal penalties
        if (alpha[i]! > C) {
          alpha[i] = C;
          alpha[j] = C - diff;
        }
      } else if (alpha[j]! > C) {
        alpha[j] = C;
        alpha[i] = C + diff;
      }
    } else {
      let quad = QD[i]! + QD[j]! - 2 * Qi[j]!;
      if (quad <= 0) quad = TAU;
      const delta = (G[i]! - G[j]!) / quad;
      const sum = alpha[i]! + alpha[j]!;
      alpha[i]! -= delta;
      alpha[j]! += delta;
      if (sum > C) {
        if (alpha[i]! > C) {
          alpha[i] = C;
          alpha[j] = sum - C;
        }
      } else if (alpha[j]! < 0) {
        alpha[j] = 0;
        alpha[i] = sum;
      }
      if (sum > C) {
        if (alpha[j]! > C) {
          alpha[j] = C;
          alpha[i] = sum - C;
        }
      } else if (alpha[i]! < 0) {
        alpha[i] = 0;
        alpha[j] = sum;
      }
    }
    const dAi = alpha[i]! - oldAi;
    const dAj = alpha[j]! - oldAj;
    for (let t = 0; t < activeSize; t++) G[t]! += Qi[t]! * dAi + Qj[t]! * dAj;
    // Keep Gbar (over all l variables) in step with the variables that reach or leave C.
    const ui = isUpper(i);
    const uj = isUpper(j);
    updateStatus(i);
    updateStatus(j);
    if (ui !== isUpper(i)) {
      const q = getQ(i, l, qi);
      const s = ui ? -C : C;
      for (let t = 0; t < l; t++) Gbar[t]! += s * q[t]!;
    }
    if (uj !== isUpper(j)) {
      const q = getQ(j, l, qj);
      const s = uj ? -C : C;
      for (let t = 0; t < l; t++) Gbar[t]! += s * q[t]!;
    }
  }
  if (!converged && activeSize < l) {
    reconstructGradient();
    activeSize = l;
  }

  // rho: the mean of y_i G_i over free variables; without any, the middle of its feasible range.
  let nFree = 0;
  let sumFree = 0;
  let ub = Number.POSITIVE_INFINITY;
  let lb = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < activeSize; t++) {
    const yG = y[t]! * G[t]!;
    if (isUpper(t)) {
      if (y[t] === -1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else if (isLower(t)) {
      if (y[t] === 1) ub = Math.min(ub, yG);
      else lb = Math.max(lb, yG);
    } else {
      nFree++;
      sumFree += yG;
    }
  }
  const rho = nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  let obj = 0;
  for (let t = 0; t < l; t++) obj += alpha[t]! * (G[t]! - 1);
  const coef = new Float64Array(l); // [l]
  for (let t = 0; t < l; t++) coef[orig[t]!] = alpha[t]! * y[t]!;
  return { coef, rho, obj: obj / 2, iterations: iter, converged };
}

/** One one-vs-one problem: classes[i] (+1) against classes[j] (−1). */
export interface SvcPair {
  i: number;
  j: number;
  /** [l] training rows of the problem: class i's in data order, then class j's (libsvm's grouping). */
  rows: Int32Array;
  /** [l] α y of each of those rows. */
  coef: Float64Array;
  rho: number;
  /** [d] Σ coef_r x_r, so the decision is wᵀx − rho. */
  w: Float64Array;
  iterations: number;
  converged: boolean;
}

/** libsvm's vote: pair p = (i, j) in order i < j gives its vote to i when dec > 0, else to j; first maximum wins. */
export function ovoVote(dec: ArrayLike<number>, nClasses: number): number {
  const votes = new Int32Array(nClasses);
  let p = 0;
  for (let i = 0; i < nClasses; i++) {
    for (let j = i + 1; j < nClasses; j++) {
      if (dec[p++]! > 0) votes[i]!++;
      else votes[j]!++;
    }
  }
  let best = 0;
  for (let c = 1; c < nClasses; c++) if (votes[c]! > votes[best]!) best = c;
  return best;
}

/** A fitted one-vs-one linear C-SVC. */
export class SVC {
  constructor(
    /** Sorted distinct training labels. */
    readonly classes: Int32Array,
    /** The k(k−1)/2 problems, (0,1), (0,2), …, (1,2), … as libsvm orders them. */
    readonly pairs: SvcPair[],
    readonly nFeatures: number,
    readonly C: number,
  ) {}

  /** False when some pair stopped at maxIter. */
  get converged(): boolean {
    return this.pairs.every((p) => p.converged);
  }

  get iterations(): number[] {
    return this.pairs.map((p) => p.iterations);
  }

  /** [n, pairs] libsvm's decision values (positive: the pair's lower class). */
  ovoDecision(x: Features, n = x.length / this.nFeatures): Float64Array {
    const d = this.nFeatures;
    if (x.length !== n * d) throw new Error(`SVC: expected [${n}, ${d}] features, got ${x.length} values`);
    const m = this.pairs.length;
    const out = new Float64Array(n * m); // [n, m]
    for (let s = 0; s < n; s++) {
      for (let p = 0; p < m; p++) {
        const { w, rho } = this.pairs[p]!;
        let v = 0;
        for (let k = 0; k < d; k++) v += w[k]! * x[s * d + k]!;
        out[s * m + p] = v - rho;
      }
    }
    return out;
  }

  predict(x: Features, n = x.length / this.nFeatures): Int32Array {
    const dec = this.ovoDecision(x, n);
    const m = this.pairs.length;
    const out = new Int32Array(n);
    for (let s = 0; s < n; s++)
      out[s] = this.classes[ovoVote(dec.subarray(s * m, (s + 1) * m), this.classes.length)]!;
    return out;
  }

  /**
   * scikit-learn's decision_function: [n, 1] for two classes (positive: classes[1]), else its
   * 'ovr' shape [n, k]: votes plus the summed pair confidences squashed into (−⅓, ⅓).
   */
  decisionFunction(x: Features, n = x.length / this.nFeatures): Float64Array {
    const dec = this.ovoDecision(x, n);
    const k = this.classes.length;
    if (k === 2) return dec.map((v) => -v);
    const m = this.pairs.length;
    const out = new Float64Array(n * k); // [n, k]
    const conf = new Float64Array(k);
    for (let s = 0; s < n; s++) {
      conf.fill(0);
      for (let p = 0; p < m; p++) {
        const { i, j } = this.pairs[p]!;
        const v = dec[s * m + p]!;
        conf[i]! += v;
        conf[j]! -= v;
        // sklearn counts dec = 0 as a vote for i here (predict gives it to j, as libsvm)
        out[s * k + (v < 0 ? j : i)]! += 1;
      }
      for (let c = 0; c < k; c++) out[s * k + c]! += conf[c]! / (3 * (Math.abs(conf[c]!) + 1));
    }
    return out;
  }

  /** Mean accuracy in [0, 1]. */
  score(x: Features, y: Int32Array): number {
    return accuracy(this.predict(x, y.length), y);
  }
}

/** Fits SVC(kernel='linear') on x [n, d] with integer labels y [n]. Needs at least two classes. */
export function fitSVC(x: Features, y: Int32Array, opts: SVCOptions = {}): SVC {
  const C = opts.C ?? 1;
  if (!(C > 0)) throw new Error(`SVC: C must be positive (got ${C})`);
  const n = y.length;
  if (n === 0 || x.length % n !== 0)
    throw new Error(`SVC: ${x.length} feature values do not split into ${n} rows`);
  const d = x.length / n;
  const xs = x instanceof Float64Array ? x : Float64Array.from(x);
  const classes = Int32Array.from(new Set(y)).sort();
  if (classes.length < 2)
    throw new Error(`SVC: needs at least 2 classes in the training labels (got ${classes.length})`);
  const kernel = opts.kernel ?? linearKernelCpu(xs, n, d);
  if (kernel.n !== n) throw new Error(`SVC: the kernel has ${kernel.n} rows for ${n} samples`);
  const members = Array.from(classes, (c) =>
    Int32Array.from(Array.from(y).flatMap((l, i) => (l === c ? [i] : []))),
  );
  const pairs: SvcPair[] = [];
  for (let i = 0; i < classes.length; i++) {
    for (let j = i + 1; j < classes.length; j++) {
      const a = members[i]!;
      const b = members[j]!;
      const rows = new Int32Array(a.length + b.length);
      rows.set(a);
      rows.set(b, a.length);
      const labels = Int8Array.from(rows, (_, r) => (r < a.length ? 1 : -1));
      const s = solveBinarySvc(kernel, rows, labels, C, opts);
      const w = new Float64Array(d); // [d]
      rows.forEach((g, r) => {
        const c = s.coef[r]!;
        if (c === 0) return;
        for (let k = 0; k < d; k++) w[k]! += c * xs[g * d + k]!;
      });
      pairs.push({
        i,
        j,
        rows,
        coef: s.coef,
        rho: s.rho,
        w,
        iterations: s.iterations,
        converged: s.converged,
      });
    }
  }
  return new SVC(classes, pairs, d, C);
}
