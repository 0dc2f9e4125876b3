import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { fitLinearSVC } from './linear-svc';
import {
  fitSVC,
  kernelFromGram,
  type LinearKernel,
  linearKernelCpu,
  ovoVote,
  type SVC,
  solveBinarySvc,
} from './svc';
import { clusters } from '../../test/clusters';

const f64 = (rows: number[][]) => Float64Array.from(rows.flat());

/**
 * The solver's own optimality conditions, recomputed from scratch for one binary problem:
 * box and equality constraints, the maximal violation m(α) − M(α) below tol, rho between M and m,
 * and the duality gap of (w, rho) no larger than the violation allows.
 */
function checkKkt(
  x: Float64Array,
  d: number,
  kernel: LinearKernel,
  rows: Int32Array,
  y: Int8Array,
  coef: Float64Array,
  rho: number,
  C: number,
  tol: number,
) {
  const l = rows.length;
  const alpha = Float64Array.from(coef, (c, t) => c * y[t]!);
  let sumYA = 0;
  for (let t = 0; t < l; t++) {
    expect(alpha[t]).toBeGreaterThanOrEqual(0);
    expect(alpha[t]).toBeLessThanOrEqual(C);
    sumYA += coef[t]!;
  }
  expect(Math.abs(sumYA)).toBeLessThan(1e-10 * Math.max(1, C * l));
  // G = Qα − 1 with the solver's own (float32-rounded) kernel values.
  let m = Number.NEGATIVE_INFINITY;
  let M = Number.POSITIVE_INFINITY;
  let dualQ = 0;
  let sumA = 0;
  for (let s = 0; s < l; s++) {
    const krow = kernel.row(rows[s]!);
    let g = -1;
    for (let t = 0; t < l; t++) g += y[s]! * coef[t]! * krow[rows[t]!]!;
    dualQ += alpha[s]! * (g + 1);
    sumA += alpha[s]!;
    const v = -y[s]! * g;
    const up = (y[s] === 1 && alpha[s]! < C) || (y[s] === -1 && alpha[s]! > 0);
    const low = (y[s] === -1 && alpha[s]! < C) || (y[s] === 1 && alpha[s]! > 0);
    if (up) m = Math.max(m, v);
    if (low) M = Math.min(M, v);
  }
  expect(m - M).toBeLessThan(tol);
  expect(-rho).toBeGreaterThanOrEqual(Math.min(m, M) - 1e-9);
  expect(-rho).toBeLessThanOrEqual(Math.max(m, M) + 1e-9);
  // Primal of (w, −rho) minus the dual: ≥ 0 (weak duality) and ≤ C·l·tol (each hinge term is off
  // by at most the violation).
  const w = new Float64Array(d);
  for (let t = 0; t < l; t++) for (let k = 0; k < d; k++) w[k]! += coef[t]! * x[rows[t]! * d + k]!;
  let ww = 0;
  for (let k = 0; k < d; k++) ww += w[k]! * w[k]!;
  let hinge = 0;
  for (let t = 0; t < l; t++) {
    let f = -rho;
    for (let k = 0; k < d; k++) f += w[k]! * x[rows[t]! * d + k]!;
    hinge += Math.max(0, 1 - y[t]! * f);
  }
  const primal = 0.5 * ww + C * hinge;
  const dual = sumA - 0.5 * dualQ;
  const gap = primal - dual;
  expect(gap).toBeGreaterThan(-1e-6 * Math.max(1, Math.abs(primal)));
  expect(gap).toBeLessThanOrEqual(C * l * tol + 1e-6 * Math.max(1, Math.abs(primal)));
}

/** n points in d dims from k overlapping Gaussian classes (labels 0..k−1). */
function overlapping(rng: Rng, n: number, d: number, k: number, spread: number) {
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => rng.normal(0, spread)));
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(k);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[y[i]!]![j]! + rng.normal();
  }
  return { x, y };
}

function checkAllPairs(svc: SVC, x: Float64Array, y: Int32Array, tol = 1e-3) {
  const d = svc.nFeatures;
  const kernel = linearKernelCpu(x, y.length, d);
  for (const p of svc.pairs) {
    const labels = Int8Array.from(p.rows, (r) => (y[r] === svc.classes[p.i] ? 1 : -1));
    expect(Array.from(p.rows, (r) => y[r])).toEqual(
      Array.from(p.rows, (_, t) => svc.classes[t < labels.filter((v) => v === 1).length ? p.i : p.j]),
    );
    checkKkt(x, d, kernel, p.rows, labels, p.coef, p.rho, svc.C, tol);
  }
}

describe('SVC (libsvm linear C-SVC)', () => {
  it('two points: α = ½, w = (1, 0), rho = 1 with a loose C; both at C = ¼ with rho from the bounds', () => {
    // Class 5 at (2, 0) is the positive side of the only pair, class 7 at (0, 0) the negative.
    const x = f64([
      [2, 0],
      [0, 0],
    ]);
    const y = Int32Array.from([5, 7]);
    const hard = fitSVC(x, y, { C: 10 });
    expect(hard.classes).toEqual(Int32Array.from([5, 7]));
    const p = hard.pairs[0]!;
    // min ½·4α² − 2α over α1 = α2 = α: α = ½, w = ½·(2,0) − ½·(0,0), both free so rho = mean y·G = 1.
    expect(Array.from(p.coef)).toEqual([0.5, -0.5]);
    expect(Array.from(p.w)).toEqual([1, 0]);
    expect(p.rho).toBe(1);
    expect(
      Array.from(
        hard.predict(
          f64([
            [3, 0],
            [1.5, 9],
            [0.5, -4],
          ]),
        ),
      ),
    ).toEqual([5, 5, 7]);
    // sklearn's binary decision_function is the negated libsvm value (positive: classes[1]).
    expect(Array.from(hard.decisionFunction(f64([[3, 0]])))).toEqual([-2]);

    // C = ¼ < ½: both α stop at C; no free variable, so rho = (ub + lb)/2 with
    // G = Qα − 1 = (4·¼ − 1, −1): lb = y1G1 = 0, ub = y2G2 = 1, rho = ½; w = ¼·(2, 0).
    const soft = fitSVC(x, y, { C: 0.25 }).pairs[0]!;
    expect(Array.from(soft.coef)).toEqual([0.25, -0.25]);
    expect(Array.from(soft.w)).toEqual([0.5, 0]);
    expect(soft.rho).toBe(0.5);
  });

  it('five separable points: the maximum-margin line x = 2 with α = (¼, ¼, 0 | ½, 0)', () => {
    // + {(3,1), (3,−1), (4,0)}, − {(1,0), (0,2)}. The hulls are ≥ 2 apart along x, so w = (1, 0),
    // b = −2. SVs (3,±1) and (1,0): α_a = α_b, α_c = α_a + α_b, 3α_a + 3α_b − α_c = 1 → α_a = ¼.
    const x = f64([
      [3, 1],
      [3, -1],
      [4, 0],
      [1, 0],
      [0, 2],
    ]);
    const y = Int32Array.from([0, 0, 0, 1, 1]);
    const p = fitSVC(x, y, { C: 10 }).pairs[0]!;
    const want = [0.25, 0.25, 0, -0.5, 0];
    p.coef.forEach((c, i) => {
      expect(c).toBeCloseTo(want[i]!, 3);
    });
    expect(p.w[0]).toBeCloseTo(1, 3);
    expect(p.w[1]).toBeCloseTo(0, 3);
    expect(p.rho).toBeCloseTo(2, 3);
  });

  it('three classes on a line: each pair has its hand-derived margin and one-vs-one votes pick the class', () => {
    // A {0, 1}, B {4, 5}, C {8, 9} (labels 0, 1, 2). Each pair's support vectors are the facing
    // points a < b; with the lower class positive, w = −2/(b − a) and rho = w·a − 1.
    const x = Float64Array.from([0, 1, 4, 5, 8, 9]);
    const y = Int32Array.from([0, 0, 1, 1, 2, 2]);
    const svc = fitSVC(x, y, { C: 100 });
    const margins: [number, number][] = [
      [1, 4],
      [1, 8],
      [5, 8],
    ];
    svc.pairs.forEach((p, k) => {
      const [a, b] = margins[k]!;
      const w = -2 / (b - a);
      expect([p.i, p.j]).toEqual(
        [
          [0, 1],
          [0, 2],
          [1, 2],
        ][k],
      );
      expect(p.w[0]).toBeCloseTo(w, 9);
      expect(p.rho).toBeCloseTo(w * a - 1, 9);
    });
    // 2: AB→A, AC→A, BC→B; 3: B, A, B; 4.6: B, C, B; 7: B, C, C; 100: B, C, C.
    expect(Array.from(svc.predict(Float64Array.from([2, 3, 4.6, 7, 100])))).toEqual([0, 1, 1, 2, 2]);
    // sklearn's 'ovr' decision shape ranks the predicted class first.
    const df = svc.decisionFunction(Float64Array.from([3]));
    expect(df[1]).toBeGreaterThan(Math.max(df[0]!, df[2]!));
    expect(Math.round(df[1]!)).toBe(2);
  });

  it('votes: a positive value votes for the pair’s lower class, ties go to the lowest class index', () => {
    // Pairs (0,1), (0,2), (1,2).
    expect(ovoVote([1, -1, 1], 3)).toBe(0); // a cycle: one vote each
    expect(ovoVote([-1, 1, -1], 3)).toBe(0); // 1 beats 0, 0 beats 2, 2 beats 1
    expect(ovoVote([-1, -1, 1], 3)).toBe(1); // 1: 2 votes
    expect(ovoVote([0, 0, 0], 3)).toBe(2); // exactly 0 votes for the higher class, as libsvm
    // Pairs (0,1), (0,2), (0,3), (1,2), (1,3), (2,3): classes 2 and 3 tie on 2 votes, 2 wins.
    expect(ovoVote([1, -1, -1, -1, -1, 1], 4)).toBe(2);
  });

  it('meets its own optimality conditions on overlapping random data, shrinking on and off', () => {
    const rng = new Rng(3);
    const { x, y } = overlapping(rng, 150, 12, 3, 0.8);
    for (const C of [0.01, 1, 20]) {
      for (const shrinking of [true, false]) {
        const svc = fitSVC(x, y, { C, shrinking });
        expect(svc.converged).toBe(true);
        checkAllPairs(svc, x, y);
      }
    }
    // A tighter tolerance also holds, and moves the solution by little.
    const loose = fitSVC(x, y, { C: 1 });
    const tight = fitSVC(x, y, { C: 1, tol: 1e-7 });
    checkAllPairs(tight, x, y, 1e-7);
    const a = loose.predict(x);
    const b = tight.predict(x);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    expect(same / a.length).toBeGreaterThan(0.97);
  });

  it('stops at maxIter and says so', () => {
    const { x, y } = overlapping(new Rng(4), 80, 6, 2, 0.3);
    const svc = fitSVC(x, y, { C: 10, maxIter: 3 });
    expect(svc.converged).toBe(false);
    expect(svc.iterations).toEqual([3]);
  });

  it('a precomputed Gram gives the same fit as the CPU kernel', () => {
    const { x, y } = overlapping(new Rng(5), 60, 7, 3, 1);
    const n = y.length;
    const cpu = linearKernelCpu(x, n, 7);
    const gram = new Float32Array(n * n);
    const diag = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < 7; k++) s += x[i * 7 + k]! * x[j * 7 + k]!;
        gram[i * n + j] = s;
        if (i === j) diag[i] = s;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++)
        expect(Math.abs(cpu.row(i)[j]! - gram[i * n + j]!)).toBeLessThanOrEqual(
          1e-6 * Math.abs(gram[i * n + j]!) + 1e-12,
        );
      expect(cpu.diag[i]).toBeCloseTo(diag[i]!, 10);
    }
    const a = fitSVC(x, y, { C: 0.5 });
    const b = fitSVC(x, y, { C: 0.5, kernel: kernelFromGram(gram, n, diag) });
    a.pairs.forEach((p, k) => {
      expect(p.rho).toBeCloseTo(b.pairs[k]!.rho, 4);
    });
    expect(a.predict(x)).toEqual(b.predict(x));
  });

  it('predicts as LinearSVC on well-separated clusters', () => {
    const rng = new Rng(6);
    const { set: train, centres } = clusters(rng, [25, 30, 20, 25], 48, 0.6);
    const { set: test } = clusters(rng, [15, 15, 15, 15], 48, 0.6, centres);
    const svc = fitSVC(train.features, train.labels, { C: 0.01 });
    const lin = fitLinearSVC(train.features, train.labels, { C: 0.01 });
    expect(Array.from(svc.classes)).toEqual([1, 4, 7, 10]);
    expect(svc.predict(test.features)).toEqual(lin.predict(test.features));
    expect(svc.score(test.features, test.labels)).toBe(1);
  });

  it('handles 2048-d features of a few hundred samples (the CLI’s size) and stays optimal', () => {
    const rng = new Rng(7);
    const { x, y } = overlapping(rng, 400, 2048, 10, 0.05);
    const svc = fitSVC(x, y, { C: 0.01 });
    expect(svc.pairs).toHaveLength(45);
    expect(svc.converged).toBe(true);
    const kernel = linearKernelCpu(x, y.length, 2048);
    for (const p of [svc.pairs[0]!, svc.pairs[44]!]) {
      const labels = Int8Array.from(p.rows, (r) => (y[r] === svc.classes[p.i] ? 1 : -1));
      checkKkt(x, 2048, kernel, p.rows, labels, p.coef, p.rho, 0.01, 1e-3);
    }
  });

  it('a single problem keeps its rows’ order in coef', () => {
    const x = f64([
      [0, 0],
      [2, 0],
    ]);
    const k = linearKernelCpu(x, 2, 2);
    // Rows given negative first: coef follows the rows, not the solver's internal order.
    const s = solveBinarySvc(k, Int32Array.from([0, 1]), Int8Array.from([-1, 1]), 10);
    expect(Array.from(s.coef)).toEqual([-0.5, 0.5]);
    expect(s.rho).toBe(1);
    expect(s.obj).toBeCloseTo(-0.5, 12);
  });
});
