/**
 * Linear evaluation of frozen features: a linear SVM fitted on the train split, accuracy on
 * both splits and per test class (CrossPoint reports the overall test accuracy of sklearn's
 * SVC(kernel='linear', C = 0.01); LinearSVC on request).
 */
import { InputError } from '../util/errors';
import { applyScaler, checkFeatureSet, type FeatureSet, fitScaler } from './features';
import { type ClassifierOptions, fitClassifier, type SvmKind } from './classifier';
import type { LinearKernel } from './svc';
import { type SvmHealth, svmHealth } from './svm-health';

/**
 * The reference's linear evaluation (eval_ssl.ipynb): `SVC(C=0.01, kernel='linear')` on the
 * 2048-d features of unstandardised ModelNet40 clouds cut to 1024 points, DGCNN built with
 * `--k 15` (the k the released weights were pretrained with).
 */
export const REFERENCE_LINEAR_EVAL = { C: 0.01, points: 1024, k: 15 } as const;

export interface LinearEvalOptions {
  /** SVM C (default 0.01). */
  C?: number;
  seed?: number;
  /** Standardise both splits with the train split's statistics (default false, as upstream). */
  standardize?: boolean;
  /** Which SVM (default SVC, as the reference). */
  classifier?: SvmKind;
  svm?: Pick<ClassifierOptions, 'tol' | 'maxIter'>;
  /** SVC only: the linear kernel of the train features as the SVM sees them (after standardisation); default: computed on the CPU. */
  kernel?: LinearKernel;
}

export interface LinearEvalResult {
  /** Accuracies in [0, 1]. */
  train_acc: number;
  test_acc: number;
  /** Accuracy among the test samples of each label present in test (key: the label). */
  per_class: Record<string, number>;
  /** Mean of per_class (class-balanced accuracy). */
  mean_class_acc: number;
  n_train: number;
  n_test: number;
  C: number;
  classifier: SvmKind;
  /** False when a binary problem stopped at maxIter (sklearn would warn). */
  converged: boolean;
  /** Whether the test predictions are degenerate (one class) and how many dual weights sit at C. */
  health: SvmHealth;
}

export function linearEval(
  train: FeatureSet,
  test: FeatureSet,
  opts: LinearEvalOptions = {},
): LinearEvalResult {
  const d = checkFeatureSet(train, 'train');
  const dt = checkFeatureSet(test, 'test');
  if (d !== dt) throw new InputError(`train features have ${d} dimensions, test features ${dt}`);
  if (new Set(train.labels).size < 2) throw new InputError('train: needs at least 2 classes');
  let xtr: Float32Array | Float64Array = train.features;
  let xte: Float32Array | Float64Array = test.features;
  if (opts.standardize) {
    const s = fitScaler(xtr, train.labels.length, d);
    xtr = applyScaler(xtr, s);
    xte = applyScaler(xte, s);
  }
  const C = opts.C ?? REFERENCE_LINEAR_EVAL.C;
  const svm = fitClassifier(xtr, train.labels, {
    ...opts.svm,
    kind: opts.classifier,
    C,
    seed: opts.seed ?? 0,
    kernel: opts.kernel,
  });
  const pred = svm.predict(xte, test.labels.length);
  const hits = new Map<number, [number, number]>();
  let ok = 0;
  test.labels.forEach((l, i) => {
    const h = hits.get(l) ?? [0, 0];
    h[1]++;
    if (pred[i] === l) {
      h[0]++;
      ok++;
    }
    hits.set(l, h);
  });
  const per_class: Record<string, number> = {};
  for (const l of [...hits.keys()].sort((a, b) => a - b))
    per_class[String(l)] = hits.get(l)![0] / hits.get(l)![1];
  const accs = Object.values(per_class);
  return {
    train_acc: svm.score(xtr, train.labels),
    test_acc: ok / test.labels.length,
    per_class,
    mean_class_acc: accs.reduce((a, b) => a + b, 0) / accs.length,
    n_train: train.labels.length,
    n_test: test.labels.length,
    C,
    classifier: svm.kind,
    converged: svm.converged,
    health: svmHealth(svm, pred, test.labels, xte),
  };
}
