import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { cholesky, inverseQuadratic } from './cholesky';
import { calibrateOod, fitOod, normalQuantile, oodVerdict } from './ood-score';

/** n rows of C isotropic Gaussian classes in d dimensions: centres at `spread`·N(0, I), noise σ = 1. */
function gaussians(rng: Rng, n: number, C: number, d: number, spread: number, centres?: Float64Array[]) {
  const cs =
    centres ?? Array.from({ length: C }, () => Float64Array.from({ length: d }, () => spread * rng.normal()));
  const x = new Float64Array(n * d); // [n, d]
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % C;
    labels[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = cs[c]![j]! + rng.normal();
  }
  return { x, labels, centres: cs };
}

/** The same distance written out plainly: explicit d × d covariance, explicit Ledoit–Wolf sums. */
function naiveDistances(x: Float64Array, labels: Int32Array, d: number, q: Float64Array) {
  const n = labels.length;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sd[j]! += (x[i * d + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!);
  const med = Float64Array.from(sd).sort()[Math.floor(d / 2)]!;
  for (let j = 0; j < d; j++) sd[j] = Math.max(sd[j]!, 0.1 * med);
  const z = (v: ArrayLike<number>, o: number) =>
    Float64Array.from({ length: d }, (_, j) => (v[o + j]! - mean[j]!) / sd[j]!);
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const centre = new Map<number, Float64Array>();
  for (const c of classes) {
    const rows = [...labels.keys()].filter((i) => labels[i] === c);
    const m = new Float64Array(d);
    for (const i of rows) {
      const zi = z(x, i * d);
      for (let j = 0; j < d; j++) m[j]! += zi[j]! / rows.length;
    }
    centre.set(c, m);
  }
  const res = Array.from({ length: n }, (_, i) => {
    const zi = z(x, i * d);
    const m = centre.get(labels[i]!)!;
    return zi.map((v, j) => v - m[j]!);
  });
  const S = new Float64Array(d * d);
  for (const r of res)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a * d + b]! += (r[a]! * r[b]!) / n;
  let tr = 0;
  for (let a = 0; a < d; a++) tr += S[a * d + a]!;
  const mu = tr / d;
  let delta2 = 0;
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) delta2 += (S[a * d + b]! - (a === b ? mu : 0)) ** 2;
  let beta2 = 0;
  for (const r of res) {
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) beta2 += (r[a]! * r[b]! - S[a * d + b]!) ** 2;
  }
  beta2 /= n * n;
  const alpha = Math.min(1, Math.max(0.01, beta2 / delta2));
  const sigma = S.map((v, i) => (1 - alpha) * v + (i % (d + 1) === 0 ? alpha * mu : 0));
  // The pooled within-class covariance divides by n − classes, not n: scale Σ by n / (n − C).
  const pooled = n / (n - classes.length);
  const L = cholesky(
    sigma.map((v) => v * pooled),
    d,
  );
  const zq = z(q, 0);
  // Predictive distance: a class of n_c shapes has its centre's error Σ/n_c added.
  const size = (c: number) => labels.filter((l) => l === c).length;
  const dist = classes.map((c) =>
    Math.sqrt(
      inverseQuadratic(
        L,
        d,
        zq.map((v, j) => v - centre.get(c)![j]!),
      ) /
        (1 + 1 / size(c)),
    ),
  );
  return { alpha, dist };
}

describe('out-of-distribution score', () => {
  for (const [name, n, d] of [
    ['more shapes than features (primal)', 40, 7],
    ['more features than shapes (Woodbury)', 13, 29],
  ] as const) {
    it(`matches the plainly written Mahalanobis distance and Ledoit–Wolf shrinkage: ${name}`, () => {
      const rng = new Rng(3);
      const { x, labels } = gaussians(rng, n, 3, d, 2);
      // One near-constant feature: its spread is floored, not divided by ~0.
      for (let i = 0; i < n; i++) x[i * d + 1] = 5 + 1e-9 * i;
      const model = fitOod(x, labels, d);
      for (let t = 0; t < 4; t++) {
        const q = Float64Array.from({ length: d }, () => 3 * rng.normal());
        const want = naiveDistances(x, labels, d, q);
        expect(model.shrinkage).toBeCloseTo(want.alpha, 10);
        const got = model.distances(q);
        for (const { label, distance } of got) expect(distance).toBeCloseTo(want.dist[label]!, 8);
        expect(got[0]!.label).toBe(want.dist.indexOf(Math.min(...want.dist)));
      }
    });
  }

  it('with many shapes of unit-variance classes the distance is the Euclidean one in units of σ', () => {
    // Two far-apart classes in 2-D: standardising divides by the total spread, the covariance
    // undoes it, so a point 3σ from a centre along a feature is at distance ≈ 3.
    const rng = new Rng(5);
    const centres = [Float64Array.of(-20, 0), Float64Array.of(20, 0)];
    const { x, labels } = gaussians(rng, 4000, 2, 2, 0, centres);
    const model = fitOod(x, labels, 2);
    expect(model.shrinkage).toBeLessThan(0.05);
    const [near] = model.distances(Float64Array.of(20, 3));
    expect(near!.label).toBe(1);
    expect(near!.distance).toBeGreaterThan(2.8);
    expect(near!.distance).toBeLessThan(3.2);
  });

  for (const [name, d, n] of [
    ['primal', 6, 600],
    ['Woodbury', 150, 120],
  ] as const) {
    it(`calibration gives the stated false-alarm rate on fresh draws and flags a new class (${name})`, () => {
      const rng = new Rng(11);
      const set = gaussians(rng, n, 4, d, 3);
      const cal = calibrateOod(set.x, set.labels, d, { falseAlarm: 0.05 });
      // Fresh shapes of the same classes: about 5 % flagged. The threshold is a quantile of n
      // held-out scores, so the realised rate varies with the set: over 8 seeds of the Woodbury
      // case (n 120, leave-one-out) it spread 4–11 %, mean 6.4 % (binomial sd of 2000 draws ≈ 0.5 %).
      const fresh = gaussians(rng, 2000, 4, d, 0, set.centres);
      let alarms = 0;
      for (let i = 0; i < 2000; i++)
        if (oodVerdict(cal, fresh.x.subarray(i * d, (i + 1) * d)).outOfDistribution) alarms++;
      expect(alarms / 2000).toBeGreaterThan(0.02);
      expect(alarms / 2000).toBeLessThan(0.11);
      // A fifth class the set never saw: almost always flagged.
      const other = gaussians(rng, 200, 1, d, 3);
      let caught = 0;
      for (let i = 0; i < 200; i++)
        if (oodVerdict(cal, other.x.subarray(i * d, (i + 1) * d)).outOfDistribution) caught++;
      expect(caught / 200).toBeGreaterThan(0.9);
    });
  }

  it('the held-out threshold is the conformal quantile, and the p-value counts held-out scores', () => {
    const rng = new Rng(2);
    const { x, labels } = gaussians(rng, 99, 3, 5, 3);
    const cal = calibrateOod(x, labels, 5, { falseAlarm: 0.1, folds: 3 });
    expect(cal.folds).toBe(3);
    const sorted = Float64Array.from(cal.heldOut).sort();
    expect(cal.threshold).toBe(sorted[Math.ceil(100 * 0.9) - 1]);
    // Exactly 9 of the 99 held-out scores lie above the threshold.
    expect(cal.heldOut.filter((s) => s > cal.threshold).length).toBe(9);
    const v = oodVerdict(cal, x.subarray(0, 5));
    expect(v.pValue).toBe((1 + cal.heldOut.filter((s) => s >= v.distance).length) / 100);
    expect(v.calibrationShapes).toBe(99);
    expect(cal.method).toBe('quantile');
    expect(cal.leftOut).toBe(0);
  });

  it('holds each shape out on its own in a small set, scored exactly as a query of the model without it', () => {
    const rng = new Rng(4);
    const d = 6;
    const { x, labels } = gaussians(rng, 30, 3, d, 3);
    const cal = calibrateOod(x, labels, d);
    expect(cal.folds).toBe(30);
    for (const i of [0, 17, 29]) {
      const rest = Array.from({ length: 30 }, (_, r) => r).filter((r) => r !== i);
      const want = fitOod(x, labels, d, rest).distances(x.subarray(i * d, (i + 1) * d))[0]!.distance;
      expect(cal.heldOut[i]).toBeCloseTo(want, 12);
    }
  });

  it('with few held-out shapes the threshold is a log-normal quantile of them, and the p-value its tail', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
    const rng = new Rng(8);
    const d = 5;
    const { x, labels } = gaussians(rng, 20, 2, d, 3);
    const cal = calibrateOod(x, labels, d, { falseAlarm: 0.05 });
    // ⌈21 · 0.95⌉ = 20: the conformal quantile would be the largest of 20 scores.
    expect(cal.method).toBe('log-normal');
    const logs = Array.from(cal.heldOut, Math.log);
    const mean = logs.reduce((a, v) => a + v, 0) / 20;
    const sd = Math.sqrt(logs.reduce((a, v) => a + (v - mean) ** 2, 0) / 19);
    expect(cal.threshold).toBeCloseTo(Math.exp(mean + 1.644854 * sd), 4);
    // The p-value is below the false-alarm rate exactly when the verdict is out of distribution.
    for (const t of [0.8, 0.99, 1.01, 1.5]) {
      const q = Float64Array.from({ length: d }, (_, j) => x[j]! + (j === 0 ? t * cal.threshold : 0));
      const v = oodVerdict(cal, q);
      expect(v.method).toBe('log-normal');
      expect(v.pValue < 0.05).toBe(v.outOfDistribution);
    }
  });

  it('small classes (one or two shapes) do not blow the threshold up: stated false-alarm rate on fresh draws, a new class caught', () => {
    // Ten classes, five of them of one or two shapes: the earlier calibration (5-fold, every shape
    // held out, plain distance, conformal quantile) scored the one-shape classes' shapes against
    // other classes, so its threshold was the largest such distance and flagged almost nothing.
    const rng = new Rng(21);
    const d = 12;
    const sizes = [1, 1, 2, 2, 2, 3, 3, 4, 6, 8];
    const centres = sizes.map(() => Float64Array.from({ length: d }, () => 4 * rng.normal()));
    const draw = (c: Float64Array) => c.map((v) => v + rng.normal());
    const rows = sizes.flatMap((k, c) => Array.from({ length: k }, () => ({ c, x: draw(centres[c]!) })));
    const x = new Float64Array(rows.length * d); // [32, d]
    for (const [i, r] of rows.entries()) x.set(r.x, i * d);
    const labels = Int32Array.from(rows, (r) => r.c);
    const cal = calibrateOod(x, labels, d, { falseAlarm: 0.05 });
    expect(cal.leftOut).toBe(2);
    expect(cal.heldOut.length).toBe(rows.length - 2);
    // Fresh shapes of the known classes, each class equally often: near 5 % flagged.
    let alarms = 0;
    const trials = 3000;
    for (let i = 0; i < trials; i++) if (oodVerdict(cal, draw(centres[i % 10]!)).outOfDistribution) alarms++;
    expect(alarms / trials).toBeGreaterThan(0.02);
    expect(alarms / trials).toBeLessThan(0.1);
    // Shapes of a class the set never saw: flagged (the earlier calibration: 0 % false alarms, 61 % caught).
    const stranger = Float64Array.from({ length: d }, () => 4 * rng.normal());
    let caught = 0;
    for (let i = 0; i < 300; i++) if (oodVerdict(cal, draw(stranger)).outOfDistribution) caught++;
    expect(caught / 300).toBeGreaterThan(0.9);
  });

  it('a large component every feature vector shares does not hide a new class (raw cosine does)', () => {
    // What the pooled DGCNN features look like: a big common vector plus a small class signal.
    const rng = new Rng(9);
    const d = 40;
    const common = Float64Array.from({ length: d }, () => 10 + rng.normal());
    const signal = () => Float64Array.from({ length: d }, () => rng.normal());
    const centres = Array.from({ length: 5 }, () => signal().map((v, j) => common[j]! + v));
    const noisy = (c: Float64Array) => c.map((v) => v + 0.3 * rng.normal());
    const n = 200;
    const x = new Float64Array(n * d);
    const labels = Int32Array.from({ length: n }, (_, i) => i % 5);
    for (let i = 0; i < n; i++) x.set(noisy(centres[i % 5]!), i * d);
    const stranger = noisy(signal().map((v, j) => common[j]! + v));
    const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let j = 0; j < d; j++) {
        ab += a[j]! * b[j]!;
        aa += a[j]! ** 2;
        bb += b[j]! ** 2;
      }
      return ab / Math.sqrt(aa * bb);
    };
    // Raw cosine of the stranger to its nearest shape is as high as a member's to another member.
    const nearestCos = Math.max(
      ...Array.from({ length: n }, (_, i) => cosine(stranger, x.subarray(i * d, (i + 1) * d))),
    );
    expect(nearestCos).toBeGreaterThan(0.98);
    const cal = calibrateOod(x, labels, d);
    expect(oodVerdict(cal, stranger).outOfDistribution).toBe(true);
    expect(oodVerdict(cal, noisy(centres[3]!)).outOfDistribution).toBe(false);
  });

  it('refuses a set it cannot fit, saying why', () => {
    expect(() => fitOod(Float64Array.of(0, 1, 2, 3), [0, 1], 2)).toThrow(/a class with at least 2 shapes/);
    expect(() => fitOod(new Float64Array(3), [0], 3)).toThrow(/at least 2 shapes/);
    expect(() => fitOod(new Float64Array(6).fill(1), [0, 0], 3)).toThrow(/do not vary within their classes/);
    expect(() => calibrateOod(new Float64Array(6), [0, 1], 3, { falseAlarm: 1 })).toThrow(/false-alarm rate/);
    const model = fitOod(Float64Array.of(0, 1, 1, 0, 2, 2), [0, 0, 1], 2);
    expect(() => model.distances([1])).toThrow(/query has 1 features, the set 2/);
  });
});
