import { describe, expect, it } from 'vitest';
import { meanAndSe, pairedDifference, pairedGrid } from './paired-difference';

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

describe('pairedGrid', () => {
  // Trained [0.5, 0.7] on two draws; three random inits on the same draws.
  const trained = [0.5, 0.7];
  const random = [
    [0.4, 0.5],
    [0.2, 0.5],
    [0.3, 0.8],
  ];

  it('pairs by draw and by init seed, by hand', () => {
    const g = pairedGrid(trained, random);
    // By draw: 0.5 − mean(0.4, 0.2, 0.3) = 0.2 and 0.7 − mean(0.5, 0.5, 0.8) = 0.1: mean 0.15,
    // sd √((0.05² + 0.05²) / 1) = 0.0707…, se = sd / √2 = 0.05.
    expect(g.mean).toBeCloseTo(0.15, 12);
    expect(g.se_draws).toBeCloseTo(0.05, 12);
    // By seed: trained mean 0.6 against 0.45, 0.35, 0.55: 0.15, 0.25, 0.05; sd 0.1, se 0.1 / √3.
    expect(g.se_seeds).toBeCloseTo(0.1 / Math.sqrt(3), 12);
    expect(g.se).toBeCloseTo(Math.sqrt(0.05 ** 2 + 0.01 / 3), 12);
    expect(g.trained).toBeCloseTo(0.6, 12);
    expect(g.random_by_seed.map((x) => +x.toFixed(12))).toEqual([0.45, 0.35, 0.55]);
    expect(g.random.mean).toBeCloseTo(0.45, 12);
    expect(g.random.se).toBeCloseTo(0.1 / Math.sqrt(3), 12);
    expect(g).toMatchObject({ seeds: 3, draws: 2 });
  });

  it('one draw: the SE is the seeds’ alone (trained − each init: sd / √n with n − 1)', () => {
    // 0.8 against 0.6, 0.7, 0.5: differences 0.2, 0.1, 0.3, mean 0.2, sd 0.1, se 0.1 / √3.
    const g = pairedGrid([0.8], [[0.6], [0.7], [0.5]]);
    expect(g.mean).toBeCloseTo(0.2, 12);
    expect(g.se_draws).toBeNaN();
    expect(g.se).toBeCloseTo(0.1 / Math.sqrt(3), 12);
  });

  it('one seed: the SE is the draws’ alone; one of each has none; ragged input is refused', () => {
    const g = pairedGrid([0.6, 0.4, 0.8, 0.2], [[0.4, 0.4, 0.4, 0.4]]);
    expect(g.mean).toBeCloseTo(0.1, 12);
    expect(g.se).toBeCloseTo(pairedDifference([0.6, 0.4, 0.8, 0.2], [0.4, 0.4, 0.4, 0.4]).se, 12);
    expect(pairedGrid([0.5], [[0.25]]).se).toBeNaN();
    expect(() => pairedGrid([0.5, 0.5], [[0.5]])).toThrow(/seed 0 has 1 draws, trained 2/);
    expect(() => pairedGrid([0.5], [])).toThrow();
  });
});

describe('meanAndSe', () => {
  it('sample sd with n − 1 over √n', () => {
    // 1, 2, 3, 6: mean 3, squared deviations 4 + 1 + 0 + 9 = 14, sd √(14/3), se √(14/3) / 2.
    const m = meanAndSe([1, 2, 3, 6]);
    expect(m.mean).toBe(3);
    expect(m.se).toBeCloseTo(Math.sqrt(14 / 3) / 2, 12);
    expect(meanAndSe([]).mean).toBeNaN();
  });
});
