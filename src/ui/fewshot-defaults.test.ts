import { describe, expect, it } from 'vitest';
import { generateSampleSet } from '../data/sample-set';
import { DEFAULT_SAMPLE } from './store/index';
import { fewShotDefaults, type SplitCounts } from './fewshot-defaults';

/** The per-class split counts of the generated sample set with `perClass` objects per class. */
function counts(perClass: number): SplitCounts {
  const set = generateSampleSet({ perClass, points: 8, views: 1, imageSize: 8, seed: 1 });
  const trainCounts = set.classes.map(() => 0);
  const testCounts = set.classes.map(() => 0);
  for (const o of set.objects) (o.split === 'train' ? trainCounts : testCounts)[o.label]!++;
  return { trainCounts, testCounts };
}

describe('few-shot defaults', () => {
  it('the default sample set (8 per class: 6 train, 2 test): 5-way 5-shot, 2 queries, 20 episodes', () => {
    const c = counts(DEFAULT_SAMPLE.perClass);
    expect(c.trainCounts.every((n) => n === 6)).toBe(true);
    expect(c.testCounts.every((n) => n === 2)).toBe(true);
    const d = fewShotDefaults(c);
    expect(d).toEqual({ way: 5, shot: 5, query: 2, episodes: 20, seed: 0 });
    // 200 answers in all, ten times those of 5-way 1-shot with one query and 10 episodes.
    expect(d.way * d.query * d.episodes).toBe(200);
  });

  it('3 per class (2 train, 1 test): as many shots and queries as there are, more episodes', () => {
    expect(fewShotDefaults(counts(3))).toEqual({ way: 5, shot: 2, query: 1, episodes: 40, seed: 0 });
  });

  it('20 per class (16 train, 4 test): the aimed 5 shots, 4 queries, 20 episodes', () => {
    expect(fewShotDefaults(counts(20))).toEqual({ way: 5, shot: 5, query: 4, episodes: 20, seed: 0 });
  });

  it('every default fits the set: way classes have shot train and query test objects', () => {
    for (const perClass of [2, 3, 4, 5, 8, 12, 20, 60]) {
      const c = counts(perClass);
      const d = fewShotDefaults(c);
      const fit = c.trainCounts.filter((t, i) => t >= d.shot && c.testCounts[i]! >= d.query).length;
      expect(fit, `perClass ${perClass}`).toBeGreaterThanOrEqual(d.way);
      expect(d.episodes).toBeGreaterThanOrEqual(20);
      expect(d.episodes).toBeLessThanOrEqual(100);
    }
  });

  it('uneven and tiny sets: bounded by the way-th best class, never below 1 or 2-way', () => {
    // Classes with 9/3, 7/2, 2/1 and two with nothing in test.
    const d = fewShotDefaults({ trainCounts: [9, 7, 2, 5, 5], testCounts: [3, 2, 1, 0, 0] });
    expect(d).toMatchObject({ way: 3, shot: 2, query: 1 });
    expect(d.episodes).toBe(67); // ceil(200 / 3)
    expect(fewShotDefaults({ trainCounts: [1], testCounts: [0] })).toMatchObject({
      way: 2,
      shot: 1,
      query: 1,
    });
    expect(fewShotDefaults({ trainCounts: [60, 60], testCounts: [15, 15] })).toMatchObject({
      way: 2,
      shot: 5,
      query: 10,
      episodes: 20,
    });
  });
});
