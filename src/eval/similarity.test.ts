import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { pca2 } from './pca';
import { cosineSimilarityMatrix, retrievalAccuracy } from './similarity';

describe('cross-modal similarity', () => {
  it('is the cosine of each pair and finds the positives when embeddings agree', () => {
    const rng = new Rng(1);
    const n = 6;
    const d = 5;
    const a = rng.normalArray(n * d);
    const b = a.map((v, i) => 3 * v + 0.01 * Math.sin(i)); // same directions, other scale
    const s = cosineSimilarityMatrix(a, b, n, d);
    for (let i = 0; i < n; i++) expect(s[i * n + i]).toBeCloseTo(1, 3);
    expect(retrievalAccuracy(s, n)).toEqual({ pointToImage: 1, imageToPoint: 1 });
    const dot = [0, 1, 2, 3, 4].reduce((t, j) => t + a[j]! * b[d + j]!, 0);
    const na = Math.hypot(...a.subarray(0, d));
    const nb = Math.hypot(...b.subarray(d, 2 * d));
    expect(s[1]).toBeCloseTo(dot / (na * nb), 5);
  });

  it('a constant matrix retrieves only the first item', () => {
    expect(retrievalAccuracy(new Float32Array(16).fill(0.3), 4)).toEqual({
      pointToImage: 0.25,
      imageToPoint: 0.25,
    });
  });
});

describe('PCA', () => {
  it('recovers the dominant directions of an anisotropic cloud', () => {
    const rng = new Rng(2);
    const n = 200;
    const d = 4;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const u = rng.normal(0, 10);
      const v = rng.normal(0, 3);
      // principal axes (1,1,0,0)/√2 with std 10 and (0,0,1,0) with std 3, small noise
      x.set([u / Math.SQRT2 + 5, u / Math.SQRT2, v + rng.normal(0, 0.1), rng.normal(0, 0.1)], i * d);
    }
    const p = pca2(x, n, d);
    const std = (c: number) =>
      Math.sqrt([...Array(n).keys()].reduce((t, i) => t + p[2 * i + c]! ** 2, 0) / n);
    expect(std(0)).toBeGreaterThan(8);
    expect(std(0)).toBeLessThan(12);
    expect(std(1)).toBeGreaterThan(2.4);
    expect(std(1)).toBeLessThan(3.6);
    // First coordinate is (x0 + x1)/√2 up to centring.
    const i = 17;
    const mean0 = [...Array(n).keys()].reduce((t, k) => t + x[k * d]! + x[k * d + 1]!, 0) / n;
    expect(p[2 * i]).toBeCloseTo((x[i * d]! + x[i * d + 1]! - mean0) / Math.SQRT2, 1);
  });
});
