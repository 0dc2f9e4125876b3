import { describe, expect, it } from 'vitest';
import { emaSmooth } from './smoothing';

describe('emaSmooth (TensorBoard smoothing)', () => {
  it('weight 0 is the identity; a constant stays constant at any weight (debiased)', () => {
    expect(emaSmooth([3, 1, 2], 0)).toEqual([3, 1, 2]);
    for (const v of emaSmooth([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
  });

  it('matches the written-out recurrence', () => {
    const w = 0.6;
    const ys = [4, 2, 8];
    const a1 = (1 - w) * 4;
    const a2 = w * a1 + (1 - w) * 2;
    const a3 = w * a2 + (1 - w) * 8;
    const got = emaSmooth(ys, w);
    expect(got[0]).toBeCloseTo(a1 / (1 - w), 12);
    expect(got[1]).toBeCloseTo(a2 / (1 - w ** 2), 12);
    expect(got[2]).toBeCloseTo(a3 / (1 - w ** 3), 12);
  });

  it('keeps gaps as gaps and leaves them out of the average', () => {
    const got = emaSmooth([2, Number.NaN, 2], 0.5);
    expect(got[0]).toBeCloseTo(2, 12);
    expect(Number.isNaN(got[1]!)).toBe(true);
    expect(got[2]).toBeCloseTo(2, 12);
  });
});
