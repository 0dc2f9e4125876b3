import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import type { FeatureSet } from './features';
import { type FewShotOptions, fewShotEval } from './fewshot';
import { episodeRows } from './fewshot-rows';
import { clusters } from '../../test/clusters';

/**
 * Features replaced by large random values outside `rows` (the commands leave those rows at 0):
 * any use of a row outside the set would change the result.
 */
function keepRows(s: FeatureSet, rows: Int32Array): FeatureSet {
  const d = s.features.length / s.labels.length;
  const f = new Rng(99).uniformArray(s.features.length, -1e3, 1e3);
  for (const r of rows) f.set(s.features.subarray(r * d, (r + 1) * d), r * d);
  return { features: f, labels: s.labels };
}

describe('episodeRows', () => {
  const rng = new Rng(3);
  const train = clusters(rng, [9, 12, 3, 10, 8, 11, 10], 6, 2.5).set;
  const test = clusters(rng, [6, 5, 7, 2, 6, 5, 8], 6, 2.5, undefined).set;

  for (const protocol of ['ours', 'reference'] as const) {
    it(`gives the rows every episode reads: the same result on those rows alone ('${protocol}')`, () => {
      const opts: FewShotOptions = { way: 3, shot: 2, query: 4, episodes: 6, seed: 11, protocol };
      const rows = episodeRows(train.labels, test.labels, opts);
      // A strict subset: fewer clouds to encode than the whole splits.
      expect(rows.train.length).toBeGreaterThan(0);
      expect(rows.train.length).toBeLessThan(train.labels.length);
      if (protocol === 'ours') expect(rows.test.length).toBeGreaterThan(0);
      else expect(rows.test.length).toBe(0);
      const full = fewShotEval(train, protocol === 'ours' ? test : null, opts);
      const sparse = fewShotEval(
        keepRows(train, rows.train),
        protocol === 'ours' ? keepRows(test, rows.test) : null,
        opts,
      );
      expect(sparse).toEqual(full);
    });
  }
});
