import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { pca2 } from './pca';

/** n rows in d dims: standard deviations `sd` along the orthonormal axes `axes`, plus an offset. */
function anisotropic(rng: Rng, n: number, axes: number[][], sd: number[], offset: number[]) {
  const d = offset.length;
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = offset[j]!;
    axes.forEach((a, k) => {
      const t = rng.normal(0, sd[k]!);
      for (let j = 0; j < d; j++) x[i * d + j] += t * a[j]!;
    });
  }
  return x;
}

describe('pca2', () => {
  it('finds the two directions of largest variance, in order, on awkward sizes', () => {
    const rng = new Rng(3);
    const d = 7;
    const s = Math.SQRT1_2;
    // Principal axes: (1,1,0,…)/√2 with sd 5, (0,0,1,0,…) with sd 2, then a small one.
    const axes = [
      [s, s, 0, 0, 0, 0, 0],
      [0, 0, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 1, 0],
    ];
    const n = 401;
    const x = anisotropic(rng, n, axes, [5, 2, 0.3], [10, -4, 3, 1, 0, 2, 7]);
    const y = pca2(x, n, d);
    expect(y.length).toBe(2 * n);
    // Each output coordinate must equal the centred row's projection on the expected axis (± sign).
    const mean = Array.from({ length: d }, (_, j) => {
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i * d + j]! / n;
      return m;
    });
    for (const c of [0, 1]) {
      const proj = Array.from({ length: n }, (_, i) =>
        axes[c]!.reduce((acc, a, j) => acc + a * (x[i * d + j]! - mean[j]!), 0),
      );
      const got = Array.from({ length: n }, (_, i) => y[2 * i + c]!);
      const dot = got.reduce((acc, g, i) => acc + g * proj[i]!, 0);
      const ng = Math.hypot(...got);
      const np = Math.hypot(...proj);
      // Sampling noise tilts the axes slightly: the correlation is near 1, not exactly 1.
      expect(Math.abs(dot) / (ng * np)).toBeGreaterThan(0.995);
    }
    // The first coordinate carries more variance than the second.
    const variance = (c: number) =>
      Array.from({ length: n }, (_, i) => y[2 * i + c]! ** 2).reduce((a, b) => a + b);
    expect(variance(0)).toBeGreaterThan(4 * variance(1));
  });

  it('gives the same projection through the row Gram matrix (n < d) as through the covariance (n ≥ d)', () => {
    const rng = new Rng(5);
    const d = 40;
    const axes = [
      Array.from({ length: d }, (_, j) => (j < 2 ? Math.SQRT1_2 : 0)),
      Array.from({ length: d }, (_, j) => (j === 7 ? 1 : 0)),
    ];
    const many = anisotropic(rng, 60, axes, [4, 2], new Array(d).fill(1)); // 60 rows ≥ 40 dims
    const few = many.subarray(0, 17 * d); // 17 rows < 40 dims: the row Gram path
    const viaRows = pca2(few, 17, d);
    // Padding the 17 rows with copies of their mean (n = 60 ≥ d: the covariance path) changes
    // neither the mean nor Xcᵀ Xc, so the first 17 projections must not change.
    const mean = Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let i = 0; i < 17; i++) s += few[i * d + j]!;
      return s / 17;
    });
    const padded = new Float64Array(60 * d);
    padded.set(few);
    for (let i = 17; i < 60; i++) for (let j = 0; j < d; j++) padded[i * d + j] = mean[j]!;
    const viaCovPadded = pca2(padded, 60, d);
    for (let i = 0; i < 17 * 2; i++) expect(viaCovPadded[i]!).toBeCloseTo(viaRows[i]!, 3);
  });

  it('is deterministic and fixes the sign by the largest entry', () => {
    const rng = new Rng(9);
    const x = Float32Array.from({ length: 13 * 5 }, () => rng.normal(0, 1));
    expect(pca2(x, 13, 5)).toEqual(pca2(x, 13, 5));
    // Negating every row negates the centred data but not the chosen components.
    const neg = x.map((v) => -v);
    const a = pca2(x, 13, 5);
    const b = pca2(neg, 13, 5);
    for (let i = 0; i < a.length; i++) expect(b[i]!).toBeCloseTo(-a[i]!, 4);
  });

  it('gives zeros for identical rows (no variance) and handles a single row', () => {
    const x = new Float32Array(4 * 3).fill(2);
    expect([...pca2(x, 4, 3)]).toEqual(new Array(8).fill(0));
    expect([...pca2(Float32Array.of(1, 2, 3), 1, 3)]).toEqual([0, 0]);
  });
});
