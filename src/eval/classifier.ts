/**
 * Which linear classifier an evaluation fits: scikit-learn's SVC(kernel='linear') (libsvm,
 * one-vs-one, the CrossPoint reference's choice and the default everywhere) or LinearSVC
 * (liblinear, one-vs-rest, squared hinge; kept behind `--svm linearsvc`).
 */
import { type Features, fitLinearSVC } from './linear-svc';
import { fitSVC, type LinearKernel } from './svc';

export const SVM_KINDS = ['svc', 'linearsvc'] as const;
export type SvmKind = (typeof SVM_KINDS)[number];
/** The reference scripts' classifier (eval_ssl.ipynb, eval_fewshot.py, train_crosspoint.py use sklearn's SVC). */
export const DEFAULT_SVM: SvmKind = 'svc';

export interface ClassifierOptions {
  kind?: SvmKind;
  C?: number;
  /** Stopping tolerance (default: each solver's sklearn default, SVC 1e-3, LinearSVC 1e-4). */
  tol?: number;
  /** SVC: SMO iterations per pair (default no limit, as sklearn); LinearSVC: outer iterations (default 1000). */
  maxIter?: number;
  /** LinearSVC's permutation seed (SVC is deterministic). */
  seed?: number;
  /** SVC: a precomputed linear kernel of x (e.g. from the GPU). */
  kernel?: LinearKernel;
}

/** What the evaluations use of a fitted classifier. */
export interface Classifier {
  readonly kind: SvmKind;
  /** Sorted distinct training labels. */
  readonly classes: Int32Array;
  readonly converged: boolean;
  predict(x: Features, n?: number): Int32Array;
  /** Mean accuracy in [0, 1]. */
  score(x: Features, y: Int32Array): number;
  /** sklearn's decision_function: [n, 1] for two classes (positive: classes[1]), else [n, classes]. */
  decisionFunction(x: Features, n?: number): Float64Array;
}

/** Fits the chosen classifier (default SVC) on x [n, d] with labels y [n]. */
export function fitClassifier(x: Features, y: Int32Array, opts: ClassifierOptions = {}): Classifier {
  const kind = opts.kind ?? DEFAULT_SVM;
  if (kind === 'svc') {
    const m = fitSVC(x, y, { C: opts.C, tol: opts.tol, maxIter: opts.maxIter, kernel: opts.kernel });
    return Object.assign(m, { kind });
  }
  const m = fitLinearSVC(x, y, { C: opts.C, tol: opts.tol, maxIter: opts.maxIter, seed: opts.seed });
  return Object.assign(m, { kind });
}
