import { describe, expect, it } from 'vitest';
import { downsampleRgba, normaliseCloud, pickMixedBatch, topK } from './geometry';

describe('normaliseCloud', () => {
  it('centres and scales to the unit sphere', () => {
    const p = Float32Array.from([10, 0, 0, 14, 0, 0, 12, 2, 0, 12, -2, 0]);
    const q = normaliseCloud(p, 'y');
    let cx = 0;
    let r = 0;
    for (let i = 0; i < 4; i++) {
      cx += q[3 * i]!;
      r = Math.max(r, Math.hypot(q[3 * i]!, q[3 * i + 1]!, q[3 * i + 2]!));
    }
    expect(cx / 4).toBeCloseTo(0, 6);
    expect(r).toBeCloseTo(1, 6);
    expect(Array.from(q.subarray(0, 3))).toEqual([-1, 0, 0]);
  });
  it('turns a z-up cloud so that its up axis becomes +y', () => {
    // A tall thin cloud along z (z-up file): after normalising it must be tall along y.
    const p = Float32Array.from([0, 0, -5, 0, 0, 5, 0.1, 0, 0]);
    const q = normaliseCloud(p, 'z');
    const ys = [q[1]!, q[4]!, q[7]!];
    const zs = [q[2]!, q[5]!, q[8]!];
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(1.9);
    expect(Math.max(...zs) - Math.min(...zs)).toBeLessThan(1e-6);
    expect(q[4]!).toBeGreaterThan(0); // the top (+z) stays on top (+y)
  });
  it('leaves a single point at the origin', () => {
    expect(Array.from(normaliseCloud(Float32Array.from([3, 4, 5]), 'y'))).toEqual([0, 0, 0]);
  });
});

describe('downsampleRgba', () => {
  it('averages 2×2 blocks', () => {
    const img = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) img.set([i * 10, 0, 255, 255], i * 4);
    const { size, rgba } = downsampleRgba(img, 4, 2);
    expect(size).toBe(2);
    expect(rgba[0]).toBe(Math.round((0 + 10 + 40 + 50) / 4));
    expect(rgba[2]).toBe(255);
  });
  it('keeps small images as they are', () => {
    const img = new Uint8Array(8 * 8 * 4).fill(7);
    expect(downsampleRgba(img, 8, 64).rgba).toBe(img);
  });
});

describe('pickMixedBatch', () => {
  it('takes objects round-robin over classes', () => {
    expect(pickMixedBatch([0, 0, 0, 1, 1, 2], 5)).toEqual([0, 3, 5, 1, 4]);
    expect(pickMixedBatch([2, 2, 1], 10)).toEqual([2, 0, 1]);
  });
  it('takes perClass objects of each class at a time', () => {
    expect(pickMixedBatch([0, 0, 0, 1, 1, 2], 5, 2)).toEqual([0, 1, 3, 4, 5]);
    expect(pickMixedBatch([0, 0, 0, 1, 1, 2], 10, 2)).toEqual([0, 1, 3, 4, 5, 2]);
    // 13 classes of 3: a batch of 12 holds 6 classes twice each.
    const labels = Array.from({ length: 39 }, (_, i) => Math.floor(i / 3));
    const batch = pickMixedBatch(labels, 12, 2);
    expect(batch.map((i) => labels[i])).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });
});

describe('topK', () => {
  it('returns the largest first, ties to the lower index', () => {
    expect(topK([0.1, 0.9, 0.5, 0.9], 3)).toEqual([1, 3, 2]);
  });
});
