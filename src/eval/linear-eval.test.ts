import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import type { FeatureSet } from './features';
import { linearEval } from './linear-eval';
import { fitLinearSVC } from './linear-svc';
import { fitSVC } from './svc';
import { clusters } from '../../test/clusters';

describe('linearEval', () => {
  it('reports train, test and per-class accuracy on separable classes', () => {
    const rng = new Rng(5);
    const { set: train, centres } = clusters(rng, [15, 20, 25], 10, 0.5);
    const { set: test } = clusters(rng, [5, 6, 7], 10, 0.5, centres);
    const r = linearEval(train, test);
    expect(r).toMatchObject({ train_acc: 1, test_acc: 1, n_train: 60, n_test: 18, C: 0.01, converged: true });
    expect(r.per_class).toEqual({ '1': 1, '4': 1, '7': 1 });
    expect(r.mean_class_acc).toBe(1);
  });

  it('counts per class, including a test class the SVM never saw', () => {
    const rng = new Rng(6);
    const { set: train, centres } = clusters(rng, [15, 15], 4, 0.3);
    const { set: test } = clusters(rng, [4, 4, 2], 4, 0.3, [...centres, [50, 50, 50, 50]]);
    const r = linearEval(train, test, { C: 1 });
    expect(r.per_class['7']).toBe(0);
    expect(r.per_class['1']).toBe(1);
    expect(r.test_acc).toBeCloseTo(8 / 10, 12);
    expect(r.mean_class_acc).toBeCloseTo(2 / 3, 12);
  });

  it('standardize option scales both splits with train statistics', () => {
    const rng = new Rng(8);
    const { set: train, centres } = clusters(rng, [10, 10, 10], 5, 2);
    const { set: test } = clusters(rng, [10, 10, 10], 5, 2, centres);
    const a = linearEval(train, test, { standardize: true, C: 1 });
    const scaled = (s: FeatureSet): FeatureSet => ({
      labels: s.labels,
      features: Float64Array.from(s.features, (v, i) => v * (1 + (i % 5)) - 3),
    });
    const b = linearEval(scaled(train), scaled(test), { standardize: true, C: 1 });
    expect(b.test_acc).toBe(a.test_acc);
    expect(b.per_class).toEqual(a.per_class);
  });

  it("fits sklearn's SVC by default and LinearSVC on request, and says which", () => {
    const rng = new Rng(9);
    const { set: train, centres } = clusters(rng, [20, 20, 20], 6, 4);
    const { set: test } = clusters(rng, [30, 30, 30], 6, 4, centres);
    const svc = linearEval(train, test, { C: 0.5 });
    expect(svc.classifier).toBe('svc');
    const acc = (p: Int32Array) => p.filter((v, i) => v === test.labels[i]).length / p.length;
    expect(svc.test_acc).toBe(acc(fitSVC(train.features, train.labels, { C: 0.5 }).predict(test.features)));
    const lin = linearEval(train, test, { C: 0.5, classifier: 'linearsvc' });
    expect(lin.classifier).toBe('linearsvc');
    const want = fitLinearSVC(train.features, train.labels, { C: 0.5, seed: 0 }).predict(test.features);
    expect(lin.test_acc).toBe(acc(want));
  });
});
