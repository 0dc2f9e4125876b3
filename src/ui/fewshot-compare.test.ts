import { describe, expect, it } from 'vitest';
import { pairedDifference } from './fewshot-compare';

describe('pairedDifference', () => {
  it('mean, standard error and counts of the per-episode differences', () => {
    // Differences 0.2, 0, 0.4, -0.2: mean 0.1, sample sd √(0.2 / 3), se = sd / 2.
    const p = pairedDifference([0.6, 0.4, 0.8, 0.2], [0.4, 0.4, 0.4, 0.4]);
    expect(p.mean).toBeCloseTo(0.1, 12);
    const sd = Math.sqrt((0.01 + 0.01 + 0.09 + 0.09) / 3);
    expect(p.se).toBeCloseTo(sd / 2, 12);
    expect(p).toMatchObject({ better: 2, equal: 1, worse: 1 });
  });

  it('one episode has no standard error; mismatched lengths are refused', () => {
    expect(pairedDifference([0.5], [0.25]).se).toBeNaN();
    expect(pairedDifference([0.5], [0.25]).mean).toBe(0.25);
    expect(() => pairedDifference([0.5, 0.5], [0.5])).toThrow(/2 and 1 episodes/);
    expect(() => pairedDifference([], [])).toThrow();
  });
});
