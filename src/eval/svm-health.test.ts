import { describe, expect, it } from 'vitest';
import { fitClassifier } from './classifier';
import { svmHealth } from './svm-health';

describe('svmHealth', () => {
  // Two classes on one feature, 3 against 2 rows: separable at x = 0.
  const y = Int32Array.of(0, 0, 0, 1, 1);
  const x = (s: number) => Float64Array.of(-1, -2, -1.5, 1, 2).map((v) => v * s);

  it('healthy: separable features at C = 1 predict both classes', () => {
    const svm = fitClassifier(x(1), y, { C: 1 });
    const h = svmHealth(svm, svm.predict(x(1)), y, x(1));
    expect(h).toMatchObject({
      predicted_classes: 2,
      single_class: false,
      degenerate: false,
      intercept_dominated: 0,
    });
    expect(h.note).toBeNull();
  });

  it('tiny features at C = 0.01: the smaller class pinned at C, the intercept decides, one class predicted', () => {
    const svm = fitClassifier(x(1e-3), y, { C: 0.01 });
    const pred = svm.predict(x(1e-3));
    expect(new Set(pred).size).toBe(1);
    const h = svmHealth(svm, pred, y, x(1e-3));
    // Σ y_i α_i = 0 with the two rows of class 1 at C leaves 2C over class 0's three rows.
    expect(h.alphas_at_bound).toBeGreaterThanOrEqual(2 / 5);
    expect(h).toMatchObject({ single_class: true, degenerate: true, intercept_dominated: 1 });
    expect(h.note).toMatch(
      /^degenerate: the SVM predicts one class for all 5 rows.*intercept outweighs wᵀx on every row in 100 % of the class pairs/,
    );
    // Without the rows' features the intercept share is unknown.
    expect(svmHealth(svm, pred, y).intercept_dominated).toBeNull();
    // LinearSVC has no dual weights to count.
    const lin = fitClassifier(x(1), y, { kind: 'linearsvc', C: 1 });
    expect(svmHealth(lin, lin.predict(x(1)), y).alphas_at_bound).toBeNull();
  });
});
