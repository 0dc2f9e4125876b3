import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { dualObjective, fitLinearSVC, primalObjective, solveL2LossDual } from './linear-svc';

const solverOpts = (seed = 1) => ({ tol: 1e-6, maxIter: 10000, rng: new Rng(seed), shrinking: true });

/** n points in d dims, labels ±1 from a random hyperplane, `flip` of them flipped. */
function randomBinary(rng: Rng, n: number, d: number, flip = 0) {
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const dir = Array.from({ length: d }, () => rng.normal());
  const y = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.3;
    for (let j = 0; j < d; j++) s += dir[j]! * x[i * d + j]!;
    y[i] = (s > 0 ? 1 : -1) * (rng.next() < flip ? -1 : 1);
  }
  return { x, y };
}

/** Solves A z = b (A [m, m]) by Gaussian elimination with partial pivoting. */
function solveDense(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const A = a.slice();
  const z = b.slice();
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r * m + c]!) > Math.abs(A[p * m + c]!)) p = r;
    for (let k = 0; k < m; k++) [A[c * m + k], A[p * m + k]] = [A[p * m + k]!, A[c * m + k]!];
    [z[c], z[p]] = [z[p]!, z[c]!];
    for (let r = c + 1; r < m; r++) {
      const f = A[r * m + c]! / A[c * m + c]!;
      for (let k = c; k < m; k++) A[r * m + k]! -= f * A[c * m + k]!;
      z[r]! -= f * z[c]!;
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    let s = z[c]!;
    for (let k = c + 1; k < m; k++) s -= A[c * m + k]! * z[k]!;
    z[c] = s / A[c * m + c]!;
  }
  return z;
}

/** Independent solver: gradient descent with step 1/L on the smooth primal (augmented with a 1). */
function primalGradientDescent(
  x: Float64Array,
  n: number,
  d: number,
  y: Int8Array,
  C: number,
  steps: number,
) {
  const D = d + 1;
  const row = (i: number, j: number) => (j < d ? x[i * d + j]! : 1);
  let fro = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) fro += row(i, j) ** 2;
  const lr = 1 / (1 + 2 * C * fro);
  const w = new Float64Array(D);
  for (let t = 0; t < steps; t++) {
    const g = w.slice();
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < D; j++) dot += w[j]! * row(i, j);
      const h = 1 - y[i]! * dot;
      if (h > 0) for (let j = 0; j < D; j++) g[j]! -= 2 * C * h * y[i]! * row(i, j);
    }
    for (let j = 0; j < D; j++) w[j]! -= lr * g[j]!;
  }
  return w;
}

describe('solveL2LossDual (liblinear dual coordinate descent, squared hinge)', () => {
  it('matches the hand-derived solution of a symmetric 1-D problem', () => {
    // x = +1 (y = +1), x = −1 (y = −1), constant feature 1: by symmetry b = 0 and
    // w − 4C(1 − w) = 0, so w = 4C / (1 + 4C).
    for (const C of [0.01, 1, 10]) {
      const r = solveL2LossDual(new Float64Array([1, -1]), 2, 1, new Int8Array([1, -1]), C, 1, solverOpts());
      expect(r.converged).toBe(true);
      expect(r.w[0]).toBeCloseTo((4 * C) / (1 + 4 * C), 6);
      expect(r.w[1]).toBeCloseTo(0, 6);
    }
  });

  it('matches the closed form when every sample violates the margin (small C)', () => {
    // With all margins < 1 the primal is quadratic: (I + 2C Σ x̃x̃ᵀ) w = 2C Σ y x̃.
    const rng = new Rng(7);
    const n = 40;
    const d = 5;
    const C = 0.01;
    const { x, y } = randomBinary(rng, n, d);
    const D = d + 1;
    const A = new Float64Array(D * D);
    const b = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const xi = [...x.subarray(i * d, i * d + d), 1];
      for (let p = 0; p < D; p++) {
        b[p]! += 2 * C * y[i]! * xi[p]!;
        for (let q = 0; q < D; q++) A[p * D + q]! += 2 * C * xi[p]! * xi[q]!;
      }
    }
    for (let p = 0; p < D; p++) A[p * D + p]! += 1;
    const want = solveDense(A, b, D);
    const r = solveL2LossDual(x, n, d, y, C, 1, solverOpts());
    for (let i = 0; i < n; i++) {
      let m = want[d]!;
      for (let j = 0; j < d; j++) m += want[j]! * x[i * d + j]!;
      expect(y[i]! * m).toBeLessThan(1); // the premise of the closed form
    }
    for (let j = 0; j < D; j++) expect(r.w[j]).toBeCloseTo(want[j]!, 6);
  });

  it('reaches a zero duality gap and satisfies the KKT conditions', () => {
    const rng = new Rng(3);
    const n = 120;
    const d = 8;
    const { x, y } = randomBinary(rng, n, d, 0.1);
    for (const C of [0.01, 1]) {
      for (const shrinking of [true, false]) {
        const r = solveL2LossDual(x, n, d, y, C, 1, { ...solverOpts(5), shrinking });
        expect(r.converged).toBe(true);
        const p = primalObjective(x, n, d, y, r.w, C, 1);
        const q = dualObjective(r.alpha, r.w, C);
        expect(Math.abs(p + q) / p).toBeLessThan(1e-6);
        // α_i ≥ 0 and α_i = 2C·max(0, 1 − y_i wᵀx̃_i); w = Σ α_i y_i x̃_i.
        const w = new Float64Array(d + 1);
        for (let i = 0; i < n; i++) {
          let dot = r.w[d]!;
          for (let j = 0; j < d; j++) dot += r.w[j]! * x[i * d + j]!;
          expect(r.alpha[i]).toBeGreaterThanOrEqual(0);
          expect(r.alpha[i]).toBeCloseTo(2 * C * Math.max(0, 1 - y[i]! * dot), 4);
          for (let j = 0; j < d; j++) w[j]! += r.alpha[i]! * y[i]! * x[i * d + j]!;
          w[d]! += r.alpha[i]! * y[i]!;
        }
        for (let j = 0; j <= d; j++) expect(w[j]).toBeCloseTo(r.w[j]!, 10);
      }
    }
  });

  it('stops at maxIter and says it did not converge', () => {
    const { x, y } = randomBinary(new Rng(4), 60, 4, 0.2);
    const r = solveL2LossDual(x, 60, 4, y, 100, 1, { ...solverOpts(), maxIter: 2 });
    expect(r.iterations).toBe(2);
    expect(r.converged).toBe(false);
  });
});

describe('fitLinearSVC (one-vs-rest, sklearn LinearSVC defaults)', () => {
  it('agrees with primal gradient descent on random overlapping data', () => {
    const rng = new Rng(11);
    const n = 80;
    const d = 6;
    const { x, y } = randomBinary(rng, n, d, 0.15);
    const labels = Int32Array.from(y, (v) => (v > 0 ? 9 : 2));
    const C = 0.5;
    const svc = fitLinearSVC(x, labels, { C, tol: 1e-8, maxIter: 5000 });
    expect(svc.nModels).toBe(1); // binary: a single classifier, positive class = classes[1] = 9
    expect(Array.from(svc.classes)).toEqual([2, 9]);
    const ref = primalGradientDescent(x, n, d, y, C, 4000);
    for (let j = 0; j < d; j++) expect(svc.coef[j]).toBeCloseTo(ref[j]!, 4);
    expect(svc.intercept[0]).toBeCloseTo(ref[d]!, 4);
    const test = randomBinary(rng, 200, d).x;
    const pred = svc.predict(test);
    for (let i = 0; i < 200; i++) {
      let s = ref[d]!;
      for (let j = 0; j < d; j++) s += ref[j]! * test[i * d + j]!;
      expect(pred[i]).toBe(s > 0 ? 9 : 2);
    }
  });

  it('separates three classes with one classifier per class, each its own binary problem', () => {
    const rng = new Rng(5);
    const centres = [
      [4, 0],
      [-4, 2],
      [0, -4],
    ];
    const n = 90;
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      y[i] = [10, 20, 30][c]!;
      x[2 * i] = centres[c]![0]! + rng.normal(0, 0.7);
      x[2 * i + 1] = centres[c]![1]! + rng.normal(0, 0.7);
    }
    const svc = fitLinearSVC(x, y, { C: 1 });
    expect(svc.converged).toBe(true);
    expect(svc.nModels).toBe(3);
    expect(svc.score(x, y)).toBe(1);
    expect(Array.from(svc.predict(new Float32Array([5, 0, -5, 2, 0, -5])))).toEqual([10, 20, 30]);
    // Row k is the binary SVM of class k against the rest.
    const xs = Float64Array.from(x);
    for (let k = 0; k < 3; k++) {
      const yy = Int8Array.from(y, (v) => (v === svc.classes[k] ? 1 : -1));
      const r = solveL2LossDual(xs, n, 2, yy, 1, 1, solverOpts());
      expect(svc.coef[2 * k]).toBeCloseTo(r.w[0]!, 3);
      expect(svc.coef[2 * k + 1]).toBeCloseTo(r.w[1]!, 3);
      expect(svc.intercept[k]).toBeCloseTo(r.w[2]!, 3);
    }
    const f = svc.decisionFunction(new Float32Array([5, 0]));
    expect(f).toHaveLength(3);
    expect(f[0]).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and refuses a single class', () => {
    const { x, y } = randomBinary(new Rng(2), 50, 3, 0.2);
    const labels = Int32Array.from(y);
    const a = fitLinearSVC(x, labels, { seed: 4 });
    const b = fitLinearSVC(x, labels, { seed: 4 });
    expect(Array.from(a.coef)).toEqual(Array.from(b.coef));
    expect(() => fitLinearSVC(x, new Int32Array(50).fill(3))).toThrow('needs at least 2 classes');
  });

  it('without an intercept fits a hyperplane through the origin', () => {
    const svc = fitLinearSVC(new Float64Array([1, 2, -1, -2]), new Int32Array([1, 1, 0, 0]), {
      fitIntercept: false,
    });
    expect(svc.intercept[0]).toBe(0);
    // Four samples of one feature each.
    expect(Array.from(svc.predict(new Float64Array([0.1, -0.1])))).toEqual([1, 0]);
  });
});
