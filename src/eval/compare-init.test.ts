import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { compareInit, fitFewShot, type RandomInitFeatures, type SplitFeatures } from './compare-init';
import { gatherRows } from './features';
import { drawLabelled } from './label-draws';
import { linearEval } from './linear-eval';

const D = 30;

/**
 * Features [n, D] of counts[c] objects of class c (class by class): `scale` on every third feature from c, plus a
 * positive offset of 10·scale on every feature (pooled activations are positive) and noise.
 */
function features(counts: number[], scale: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const y = Int32Array.from(counts.flatMap((c, label) => Array(c).fill(label)));
  const x = new Float32Array(y.length * D);
  for (let i = 0; i < y.length; i++) {
    for (let j = 0; j < D; j++)
      x[i * D + j] = 10 * scale + (j % 3 === y[i] ? scale : 0) + noise * rng.normal();
  }
  return { features: x, labels: y };
}

// Unequal classes in train (5, 4, 3), as real splits: Σ y_i α_i = 0 then pins the intercept.
const split = (scale: number, noise: number, seed: number): SplitFeatures => ({
  train: features([5, 4, 3], scale, noise, seed),
  test: features([2, 2, 2], scale, noise, seed + 100),
});

// Trained: well separated. Random inits: the same classes, 1e-4 the size (a random DGCNN's scale).
const trained = split(10, 1, 1);
const random: RandomInitFeatures[] = [0, 1, 2].map((s) => ({ seed: s, ...split(1e-4, 3e-5, 10 + s) }));

describe('compareInit', () => {
  it('linear SVM with every label: trained − random paired by init seed, by hand', async () => {
    const r = await compareInit(trained, random, { draws: 3, fewshot: null });
    for (const protocol of ['raw', 'standardized'] as const) {
      const standardize = protocol === 'standardized';
      const t = linearEval(trained.train, trained.test, { C: 0.01, standardize }).test_acc;
      const rs = random.map((f) => linearEval(f.train, f.test, { C: 0.01, standardize }).test_acc);
      const m = rs.reduce((a, b) => a + b, 0) / 3;
      const sd = Math.sqrt(rs.reduce((a, b) => a + (b - m) ** 2, 0) / 2);
      const c = r.linear[protocol];
      expect(c.trained).toBe(t);
      expect(c.random.by_seed).toEqual(rs);
      expect(c.diff.mean).toBeCloseTo(t - m, 12);
      expect(c.diff.se).toBeCloseTo(sd / Math.sqrt(3), 12);
      expect(c.diff.draws).toBe(1);
    }
    expect(r).toMatchObject({
      C: 0.01,
      n_train: 12,
      n_test: 6,
      test_classes: 3,
      dim: D,
      random_seeds: [0, 1, 2],
    });
    expect(r.chance).toBeCloseTo(1 / 3, 12);
    expect(r.majority).toBeCloseTo(1 / 3, 12);
    expect(r.linear).toEqual({
      raw: r.label_efficiency.at(-1)!.raw,
      standardized: r.label_efficiency.at(-1)!.standardized,
    });
  });

  it('says when the paper protocol is degenerate: tiny features at C = 0.01 predict one class, every α at C', async () => {
    const r = await compareInit(trained, random, { budgets: [], fewshot: null });
    const raw = r.linear.raw;
    expect(raw.degenerate.random).toMatchObject({ fits: 3, single_class: 3 });
    expect(raw.degenerate.trained.single_class).toBe(0);
    // A one-class prediction scores that class's share of the test split.
    for (const a of raw.random.by_seed) expect(a).toBeCloseTo(1 / 3, 12);
    expect(raw.note).toMatch(
      /all labels, raw \(degenerate\): random init: 3\/3 fits predict a single class .*intercept outweighs wᵀx on every row/,
    );
    // Standardised, the same random features separate the classes.
    expect(r.linear.standardized.degenerate.random.single_class).toBe(0);
    expect(r.linear.standardized.random.mean).toBeGreaterThan(0.5);
    expect(r.notes).toContain(raw.note);
  });

  it('label-efficiency curve: the same seeded draws for every encoder, paired by draw', async () => {
    const r = await compareInit(trained, random, { budgets: [1, 2], draws: 4, seed: 5, fewshot: null });
    expect(r.label_efficiency.map((p) => [p.per_class, p.draws, p.n_train])).toEqual([
      [1, 4, 3],
      [2, 4, 6],
      [null, 1, 12],
    ]);
    // Recompute the 1-per-class point: the draws of budget index 0 use seed 5.
    const draws = drawLabelled(trained.train.labels, 1, 4, 5);
    const acc = (f: SplitFeatures, rows: Int32Array) =>
      linearEval(
        {
          features: gatherRows(f.train.features, D, rows),
          labels: Int32Array.from(rows, (i) => f.train.labels[i]!),
        },
        f.test,
        { C: 0.01, standardize: true },
      ).test_acc;
    const t = draws.map((d) => acc(trained, d.rows));
    const rs = random.map((f) => draws.map((d) => acc(f, d.rows)));
    const byDraw = t.map((x, j) => x - (rs[0]![j]! + rs[1]![j]! + rs[2]![j]!) / 3);
    const p = r.label_efficiency[0]!.standardized;
    expect(p.diff.mean).toBeCloseTo(byDraw.reduce((a, b) => a + b, 0) / 4, 12);
    const m = p.diff.mean;
    const seDraws = Math.sqrt(byDraw.reduce((a, b) => a + (b - m) ** 2, 0) / 3 / 4);
    expect(p.diff.se_draws).toBeCloseTo(seDraws, 12);
  });

  it('few-shot: shrinks the episodes to what the splits hold and pairs them by episode', async () => {
    const r = await compareInit(trained, random, {
      budgets: [],
      fewshot: { way: 5, shot: 10, query: 20, episodes: 3 },
    });
    expect(r.fewshot?.params).toEqual({ way: 3, shot: 3, query: 2, episodes: 3 });
    expect(r.fewshot?.adjusted).toBe(true);
    expect(r.fewshot?.standardized.diff.draws).toBe(3);
    // Balanced supports: every α of the tiny random features sits at C (the intercept is ~0 there).
    expect(r.fewshot?.raw.degenerate.random).toMatchObject({ fits: 9, all_at_bound: 9 });
    expect(
      fitFewShot(Int32Array.of(0, 0, 1), Int32Array.of(1, 1), { way: 2, shot: 1, query: 1, episodes: 1 }),
    ).toBeNull();
  });

  it('refuses features of another size or other labels, and no random init', async () => {
    const wide = { ...random[0]!, seed: 9 };
    wide.train = { features: new Float32Array(12 * 5), labels: wide.train.labels };
    await expect(compareInit(trained, [wide])).rejects.toThrow(
      /random init 9 has 5-dimensional features, the trained encoder 30/,
    );
    const relabelled = {
      ...random[0]!,
      test: { ...random[0]!.test, labels: Int32Array.from(random[0]!.test.labels).reverse() },
    };
    await expect(compareInit(trained, [relabelled])).rejects.toThrow(/random init 0: its test labels differ/);
    await expect(compareInit(trained, [])).rejects.toThrow(/at least one random init/);
  });
});
