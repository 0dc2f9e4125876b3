import { describe, expect, it } from 'vitest';
import { diagonalSummary } from './similarity-summary';

describe('diagonalSummary', () => {
  it('averages the diagonal and the off-diagonal entries separately', () => {
    // [3, 3]: diagonal 0.9, 0.6, 0.3; off-diagonal 0, 0.1, …, 0.5
    const sim = [0.9, 0.0, 0.1, 0.2, 0.6, 0.3, 0.4, 0.5, 0.3];
    const s = diagonalSummary(sim, 3);
    expect(s.diag).toBeCloseTo(0.6, 12);
    expect(s.off).toBeCloseTo((0 + 0.1 + 0.2 + 0.3 + 0.4 + 0.5) / 6, 12);
  });

  it('has no off-diagonal mean for one object and refuses a matrix of the wrong size', () => {
    const one = diagonalSummary([0.7], 1);
    expect(one.diag).toBeCloseTo(0.7, 12);
    expect(one.off).toBeNaN();
    expect(() => diagonalSummary([1, 2, 3], 2)).toThrow(/expected 2×2/);
  });
});
