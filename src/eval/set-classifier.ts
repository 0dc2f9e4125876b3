/**
 * The Classify panel's judgement of a cloud (and `crosspoint classify`'s): a linear SVC on the
 * standardised features of the set's train split names the class, the nearest shapes of the set
 * are listed, and an out-of-distribution score (ood-score.ts) says whether the cloud is like any
 * class at all, since a classifier always names one. Fitted once per feature set, then applied
 * to any number of clouds.
 */
import { topK } from '../data/geometry';
import { fitClassifier } from './classifier';
import { applyScaler, fitScaler } from './features';
import type { ObjectFeatures, ObjectMeta } from './object-analyses';
import { calibrateOod, type OodVerdict, oodVerdict } from './ood-score';

/** The false-alarm rate the out-of-distribution threshold is calibrated for. */
export const OOD_FALSE_ALARM = 0.05;

/** What the top-5 scores are, in words (the panel and the CLI say the same). */
export function scoreMeaning(classes: number): string {
  return (
    `votes: of the ${classes - 1} one-against-one contests of the linear SVM (one per other class), ` +
    'how many the class won, plus a tie-break in (−⅓, ⅓) from the summed margins'
  );
}

/** What the out-of-distribution distance is, in words. */
export const OOD_MEANING =
  'Mahalanobis distance to the nearest class centre: features standardised over the set, ' +
  'one within-class covariance shared by all classes, shrunk towards the identity (Ledoit–Wolf); ' +
  'the distance to a class of n shapes is divided by √(1 + 1/n), the spread its centre’s own error adds';

/** How the threshold was set, in words (the panel and the CLI say the same). */
export function thresholdMeaning(
  v: Pick<OodVerdict, 'method' | 'calibrationShapes' | 'leftOut' | 'falseAlarm'>,
): string {
  const pct = Math.round(v.falseAlarm * 100);
  const how =
    v.method === 'quantile'
      ? `the ${100 - pct} % quantile of`
      : `the ${100 - pct} % quantile of a log-normal fitted to (too few for their own ${100 - pct} % quantile to be any but the largest)`;
  const left = v.leftOut
    ? `; ${v.leftOut} shape${v.leftOut === 1 ? ' is' : 's are'} the only one of ${v.leftOut === 1 ? 'its class' : 'their classes'} and cannot be held out`
    : '';
  return `${how} the ${v.calibrationShapes} reference shapes’ distances, each under a model fitted without it${left}`;
}

/**
 * The shapes the out-of-distribution threshold is calibrated on: what counts as in distribution.
 * By default the set itself (the generated sample set, or the folder the user trained on); the
 * CLI's `--reference` gives real labelled shapes instead.
 */
export interface OodReference {
  /** What the shapes are, for the verdict's explanation (e.g. "Generated sample set (seed 1, 8 per class)"). */
  name: string;
  /** Generated shapes: real files differ from them more than from other classes (the verdict says so). */
  generated: boolean;
  /** The set the classifier was fitted on itself (not shapes brought for the calibration). */
  isSet: boolean;
  /** [n, dim] features of the shapes, from the same encoder as the queries. */
  features: Float32Array;
  /** [n] class of each shape (only grouping matters; the names are `classes`). */
  labels: Int32Array;
  classes: readonly string[];
}

/**
 * Measured (docs/PERFORMANCE.md, `npm run measure:ood`): calibrated on the generated sample set,
 * the score ranks real ModelNet40 files of the set's classes no better than files of other classes.
 */
export const GENERATED_REFERENCE_CAVEAT =
  'calibrated on generated shapes: real files of the same classes lie farther from them than real ' +
  'files of other classes, so on real files this verdict is worse than chance (AUROC 0.39–0.41 ' +
  'measured on real ModelNet40 files); calibrate on real shapes of the classes (a folder set, or ' +
  '`crosspoint classify --reference`)';

export interface Prediction {
  /** Classes by SVM score, best first; `score` is described by `scoreMeaning`, in [0, classes − 1 + ⅓). */
  top: { label: number; className: string; score: number }[];
  /** The highest score a class can reach (the number of other classes). */
  maxScore: number;
  scoreMeaning: string;
  /** Objects of the set by cosine similarity of standardised features, nearest first. */
  nearest: { index: number; id: string; className: string; similarity: number }[];
  /** Whether the cloud is like any class of the set (calibrated on the set's own shapes). */
  ood: OodVerdict & {
    nearestClass: string;
    meaning: string;
    shrinkage: number;
    folds: number;
    /** How the threshold was set, in words (thresholdMeaning). */
    thresholdMeaning: string;
    /** What the threshold was calibrated on, and how many shapes of how many classes. */
    reference: { name: string; generated: boolean; isSet: boolean; shapes: number; classes: number };
    /** Why the verdict cannot be trusted on real files, when the reference is generated. */
    caveat?: string;
  };
}

export interface SetClassifier {
  /** `query` is one cloud's features [dim]; k classes and k nearest shapes. */
  predict(query: Float32Array, k?: number): Prediction;
}

/**
 * Fits the SVM (train split) and the scaler once, and the OOD score on `reference` (default:
 * every object of the set, cross-fitted).
 */
export function fitSetClassifier(
  sample: ObjectFeatures,
  objects: readonly ObjectMeta[],
  classes: readonly string[],
  reference: OodReference = {
    name: 'the set',
    generated: false,
    isSet: true,
    features: sample.features,
    labels: Int32Array.from(objects, (o) => o.label),
    classes,
  },
): SetClassifier {
  const d = sample.dim;
  const trainIdx = objects.flatMap((o, i) => (o.split === 'train' ? [i] : []));
  const xs = new Float64Array(trainIdx.length * d); // [|train|, d]
  for (let i = 0; i < trainIdx.length; i++) {
    for (let j = 0; j < d; j++) xs[i * d + j] = sample.features[trainIdx[i]! * d + j]!;
  }
  const scaler = fitScaler(xs, trainIdx.length, d);
  const svm = fitClassifier(
    applyScaler(xs, scaler),
    Int32Array.from(trainIdx, (i) => objects[i]!.label),
    { C: 0.01, seed: 1 },
  );
  const all = applyScaler(sample.features, scaler); // [n, d] standardised, for the nearest shapes
  const norms = Float64Array.from(objects, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += all[i * d + j]! ** 2;
    return Math.sqrt(s);
  });
  if (reference.features.length !== reference.labels.length * d)
    throw new Error(
      `out-of-distribution reference "${reference.name}": ${reference.features.length} values for ${reference.labels.length} shapes of ${d} features`,
    );
  const cal = calibrateOod(reference.features, reference.labels, d, { falseAlarm: OOD_FALSE_ALARM });
  const refInfo = {
    name: reference.name,
    generated: reference.generated,
    isSet: reference.isSet,
    shapes: reference.labels.length,
    classes: cal.model.classes.length,
  };
  const name = (label: number) => classes[label] ?? String(label);
  const meaning = scoreMeaning(svm.classes.length);

  return {
    predict(query, k = 5) {
      const q = applyScaler(query, scaler);
      const scores = svm.decisionFunction(q, 1);
      const top = topK(scores, Math.min(k, scores.length)).map((c) => {
        const label = svm.classes[c]!;
        return { label, className: name(label), score: scores[c]! };
      });
      let qn = 0;
      for (let j = 0; j < d; j++) qn += q[j]! ** 2;
      const sims = Float64Array.from(objects, (_, i) => {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += q[j]! * all[i * d + j]!;
        return dot / Math.max(Math.sqrt(qn) * norms[i]!, 1e-12);
      });
      const nearest = topK(sims, Math.min(k, objects.length)).map((i) => ({
        index: i,
        id: objects[i]!.id,
        className: name(objects[i]!.label),
        similarity: sims[i]!,
      }));
      const v = oodVerdict(cal, query);
      return {
        top,
        maxScore: svm.classes.length - 1,
        scoreMeaning: meaning,
        nearest,
        ood: {
          ...v,
          nearestClass: reference.classes[v.nearestLabel] ?? String(v.nearestLabel),
          meaning: OOD_MEANING,
          shrinkage: cal.model.shrinkage,
          folds: cal.folds,
          thresholdMeaning: thresholdMeaning(v),
          reference: refInfo,
          ...(reference.generated ? { caveat: GENERATED_REFERENCE_CAVEAT } : {}),
        },
      };
    },
  };
}
