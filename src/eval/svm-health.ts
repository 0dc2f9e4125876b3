/**
 * Whether a fitted SVM's result means anything. At the paper's C = 0.01, features as small as a
 * random-init DGCNN's give a dual whose weights sit at their bound C (all of them when the two
 * classes are equally large; else the smaller class's, Σ y_i α_i = 0 pinning the rest): w is then
 * C times a difference of class sums, far too short to outweigh the intercept, so each class pair
 * votes by its intercept alone (the larger class) and the SVM predicts one class for everything.
 * These facts are measured here and said in plain words.
 */
import type { Classifier } from './classifier';
import type { Features } from './linear-svc';
import { SVC } from './svc';

export interface SvmHealth {
  /** Distinct labels among the predictions. */
  predicted_classes: number;
  /** Distinct labels among the true labels of the same rows. */
  true_classes: number;
  /** Every prediction is the same class while the rows hold several: the accuracy is a class share. */
  single_class: boolean;
  /** SVC: share of dual weights α_i (over every one-vs-one problem) at the bound C; null for LinearSVC. */
  alphas_at_bound: number | null;
  /** SVC: every dual weight is at its bound (C is too small for the features' scale). */
  all_at_bound: boolean;
  /**
   * SVC, when the rows' features are given: share of class pairs whose intercept outweighs wᵀx on
   * every row (the pair's vote ignores the features); null otherwise.
   */
  intercept_dominated: number | null;
  /** single_class: the accuracy says nothing about the features. */
  degenerate: boolean;
  /** One sentence for a person when something is off, else null. */
  note: string | null;
}

/** Relative slack for "at the bound": libsvm clips α to exactly C, rounding may leave 1 ulp. */
const AT_BOUND = 1e-9;

/** Share of SVC dual weights at the bound C (α_i = |coef_i|). */
export function alphasAtBound(svm: SVC): number {
  let at = 0;
  let total = 0;
  for (const p of svm.pairs) {
    for (const c of p.coef) {
      total++;
      if (Math.abs(c) >= svm.C * (1 - AT_BOUND)) at++;
    }
  }
  return total ? at / total : 0;
}

/** Share of an SVC's class pairs where |rho| > |wᵀx| for every row of x [n, d]. */
export function interceptDominated(svm: SVC, x: Features, n: number): number {
  const d = svm.nFeatures;
  let dominated = 0;
  for (const { w, rho } of svm.pairs) {
    let all = true;
    for (let s = 0; s < n && all; s++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += w[k]! * x[s * d + k]!;
      if (Math.abs(v) >= Math.abs(rho)) all = false;
    }
    if (all) dominated++;
  }
  return svm.pairs.length ? dominated / svm.pairs.length : 0;
}

const pct = (x: number) => `${Math.round(100 * x)} %`;

/**
 * The health of `svm` given its predictions `pred` on rows with true labels `y`; with the rows'
 * features `x` [n, d] (as the SVM saw them) it also says whether the intercepts decided alone.
 */
export function svmHealth(
  svm: Classifier,
  pred: ArrayLike<number>,
  y: ArrayLike<number>,
  x?: Features,
): SvmHealth {
  const predicted = new Set(Array.from(pred)).size;
  const truth = new Set(Array.from(y)).size;
  const single = predicted === 1 && truth > 1;
  const svc = svm instanceof SVC ? svm : null;
  const share = svc ? alphasAtBound(svc) : null;
  const allAtBound = share === 1;
  const dominated = svc && x ? interceptDominated(svc, x, y.length) : null;
  const why: string[] = [];
  if (share !== null && share > 0.5)
    why.push(`${pct(share)} of the dual weights at their bound C = ${svc!.C}`);
  if (dominated) why.push(`the intercept outweighs wᵀx on every row in ${pct(dominated)} of the class pairs`);
  const cause = why.length
    ? ` (${why.join('; ')}: the features are too small for this C; standardise them or raise C)`
    : '';
  let note: string | null = null;
  if (single)
    note = `degenerate: the SVM predicts one class for all ${y.length} rows, so the accuracy is that class's share${cause}`;
  else if (allAtBound)
    note = `every dual weight is at its bound C = ${svc!.C}: the SVM reduces to a difference of class sums (C is small for these features)`;
  return {
    predicted_classes: predicted,
    true_classes: truth,
    single_class: single,
    alphas_at_bound: share,
    all_at_bound: allAtBound,
    intercept_dominated: dominated,
    degenerate: single,
    note,
  };
}
