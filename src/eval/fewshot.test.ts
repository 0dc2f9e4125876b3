import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import { applyScaler, type FeatureSet, fitScaler, gatherRows } from './features';
import { fewShotEval, REFERENCE_FEWSHOT, sampleEpisodes } from './fewshot';
import { fitLinearSVC } from './linear-svc';
import { fitSVC } from './svc';
import { clusters } from '../../test/clusters';

describe('fitScaler / applyScaler', () => {
  it('uses the population std and maps a constant column to std 1', () => {
    const x = new Float32Array([1, 5, 3, 5, 5, 5]); // [3, 2]: column 0 = 1, 3, 5; column 1 constant
    const s = fitScaler(x, 3, 2);
    expect(Array.from(s.mean)).toEqual([3, 5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.std[1]).toBe(1);
    const z = applyScaler(x, s);
    expect(z[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 12);
    expect(z[1]).toBe(0);
  });
});

describe('sampleEpisodes', () => {
  const train = Int32Array.from({ length: 60 }, (_, i) => i % 6); // 10 per class
  const test = Int32Array.from({ length: 48 }, (_, i) => i % 6); // 8 per class

  it("draws N distinct classes, K support rows from train and Q queries from test ('ours')", () => {
    const { episodes } = sampleEpisodes(train, test, { way: 4, shot: 3, query: 5, episodes: 6, seed: 1 });
    expect(episodes).toHaveLength(6);
    for (const ep of episodes) {
      expect(new Set(ep.classes).size).toBe(4);
      expect(ep.querySource).toBe('test');
      expect(new Set(ep.support).size).toBe(12);
      expect(new Set(ep.query).size).toBe(20);
      ep.classes.forEach((c, k) => {
        for (const r of ep.support.subarray(3 * k, 3 * k + 3)) expect(train[r]).toBe(c);
        for (const r of ep.query.subarray(5 * k, 5 * k + 5)) expect(test[r]).toBe(c);
      });
    }
    const classSets = new Set(episodes.map((e) => e.classes.join(',')));
    expect(classSets.size).toBeGreaterThan(1);
  });

  it("'reference' draws queries from train, disjoint from the support", () => {
    const { episodes } = sampleEpisodes(train, null, {
      way: 3,
      shot: 4,
      query: 6,
      episodes: 3,
      protocol: 'reference',
    });
    for (const ep of episodes) {
      expect(ep.querySource).toBe('train');
      const s = new Set(ep.support);
      for (const r of ep.query) expect(s.has(r)).toBe(false);
      ep.classes.forEach((c, k) => {
        for (const r of ep.query.subarray(6 * k, 6 * k + 6)) expect(train[r]).toBe(c);
      });
    }
  });

  it('is reproducible for a seed and changes with it', () => {
    const a = sampleEpisodes(train, test, { way: 3, shot: 2, query: 4, seed: 9 }).episodes;
    const b = sampleEpisodes(train, test, { way: 3, shot: 2, query: 4, seed: 9 }).episodes;
    const c = sampleEpisodes(train, test, { way: 3, shot: 2, query: 4, seed: 10 }).episodes;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('leaves out classes that are too small and reports them', () => {
    const tr = Int32Array.from([...train, 7, 7]); // class 7: 2 train, 0 test
    const { episodes, excluded } = sampleEpisodes(tr, test, { way: 6, shot: 3, query: 5, episodes: 4 });
    expect(excluded).toEqual([{ label: 7, train: 2, test: 0 }]);
    for (const ep of episodes) expect(ep.classes).not.toContain(7);
  });

  it('throws an InputError naming the short classes and their counts', () => {
    const f = () => sampleEpisodes(train, test, { way: 5, shot: 3, query: 9 });
    expect(f).toThrow(InputError);
    expect(f).toThrow(
      '5-way 3-shot with 9 queries needs 5 classes with at least 3 train and 9 test examples, but only 0 qualify: ' +
        'class 0 has 8 test (needs 9)',
    );
    const g = () => sampleEpisodes(train, null, { way: 2, shot: 6, query: 5, protocol: 'reference' });
    expect(g).toThrow('class 0 has 10 train examples (needs 11)');
  });
});

describe('fewShotEval', () => {
  it('classifies well-separated classes and reports mean, population std and each episode', () => {
    const rng = new Rng(1);
    const { set: train, centres } = clusters(rng, [12, 12, 12, 12, 12, 12, 12], 16, 1);
    const { set: test } = clusters(rng, [20, 20, 20, 20, 20, 20, 20], 16, 1, centres);
    const r = fewShotEval(train, test, { way: 5, shot: 5, query: 10, episodes: 4, seed: 3 });
    expect(r.accs).toHaveLength(4);
    expect(r.mean).toBeCloseTo(r.accs.reduce((a, b) => a + b) / 4, 12);
    expect(r.std).toBeCloseTo(Math.sqrt(r.accs.reduce((a, b) => a + (b - r.mean) ** 2, 0) / 4), 12);
    expect(r.mean).toBeGreaterThan(0.95);
    expect(r.excluded).toEqual([]);
  });

  it('is near chance when features carry no class information', () => {
    const rng = new Rng(2);
    const noise = (n: number) => ({
      features: rng.normalArray(n * 8),
      labels: Int32Array.from({ length: n }, (_, i) => i % 5),
    });
    const r = fewShotEval(noise(100), noise(200), { way: 5, shot: 10, query: 20, episodes: 6, seed: 1 });
    expect(r.mean).toBeLessThan(0.4);
  });

  it('gives the same accuracies when each column is rescaled (standardised on the support)', () => {
    const rng = new Rng(4);
    const { set: train, centres } = clusters(rng, [10, 10, 10, 10], 6, 2.5);
    const { set: test } = clusters(rng, [10, 10, 10, 10], 6, 2.5, centres);
    const affine = (s: FeatureSet): FeatureSet => ({
      labels: s.labels,
      features: Float64Array.from(s.features, (v, i) => v * 10 ** ((i % 6) - 2) + (i % 6)),
    });
    const opts = { way: 4, shot: 4, query: 10, episodes: 5, seed: 7 };
    const a = fewShotEval(train, test, opts);
    const b = fewShotEval(affine(train), affine(test), opts);
    expect(a.mean).toBeLessThan(1); // not trivially perfect
    expect(b.accs).toEqual(a.accs);
  });

  it('refuses NaN features and mismatched dimensions with InputError', () => {
    const bad = { features: new Float32Array([1, Number.NaN, 0, 0]), labels: new Int32Array([0, 1]) };
    const ok = { features: new Float32Array(6), labels: new Int32Array([0, 1]) };
    expect(() => fewShotEval(bad, ok, { way: 2, shot: 1, query: 1 })).toThrow(
      'train: feature 1 of sample 0 is NaN (NaN or infinite)',
    );
    expect(() =>
      fewShotEval({ features: new Float32Array(4), labels: new Int32Array([0, 1]) }, ok, {
        way: 2,
        shot: 1,
        query: 1,
      }),
    ).toThrow('train features have 2 dimensions, test features 3');
  });

  it("'reference' is upstream's: StandardScaler on the support, SVC(kernel='linear', C=1) on support and train queries", () => {
    const rng = new Rng(21);
    // Overlapping classes, so the classifier and C matter for the accuracies.
    const { set: train } = clusters(rng, [30, 30, 30, 30, 30, 30], 16, 6);
    const opts = { way: 5, shot: 4, query: 6, episodes: 3, seed: 2, protocol: 'reference' as const };
    const r = fewShotEval(train, null, opts);
    expect(r).toMatchObject({ classifier: 'svc', C: REFERENCE_FEWSHOT.C });
    expect(REFERENCE_FEWSHOT).toMatchObject({ C: 1, k: 5, points: 2048, episodes: 10, query: 20 });
    // Each episode by hand: scaler fitted on the support rows only, applied to both.
    const { episodes } = sampleEpisodes(train.labels, null, opts);
    const byHand = (
      train1: (x: Float64Array, y: Int32Array) => { score(x: Float64Array, y: Int32Array): number },
    ) =>
      episodes.map((ep) => {
        const xs = gatherRows(train.features, 16, ep.support);
        const xq = gatherRows(train.features, 16, ep.query);
        const sc = fitScaler(xs, ep.support.length, 16);
        const ys = Int32Array.from(ep.support, (_, i) => Math.floor(i / 4));
        const yq = Int32Array.from(ep.query, (_, i) => Math.floor(i / 6));
        return train1(applyScaler(xs, sc), ys).score(applyScaler(xq, sc), yq);
      });
    expect(r.accs).toEqual(byHand((x, y) => fitSVC(x, y, { C: 1 })));
    // 'ours' keeps the paper's C = 0.01; LinearSVC only on request.
    const { set: test } = clusters(new Rng(22), [10, 10, 10, 10, 10, 10], 16, 6);
    expect(fewShotEval(train, test, { ...opts, protocol: 'ours' })).toMatchObject({
      classifier: 'svc',
      C: 0.01,
    });
    const lin = fewShotEval(train, null, { ...opts, classifier: 'linearsvc' });
    expect(lin).toMatchObject({ classifier: 'linearsvc', C: 1 });
    const seeds = new Rng(opts.seed ^ 0x2545f491);
    expect(lin.accs).toEqual(byHand((x, y) => fitLinearSVC(x, y, { C: 1, seed: seeds.nextU32() })));
    expect(r.accs).not.toEqual(byHand((x, y) => fitSVC(x, y, { C: 0.001 })));
  });
});
