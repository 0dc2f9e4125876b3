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
  'one within-class covariance shared by all classes, shrunk towards the identity (Ledoit–Wolf)';

export interface Prediction {
  /** Classes by SVM score, best first; `score` is described by `scoreMeaning`, in [0, classes − 1 + ⅓). */
  top: { label: number; className: string; score: number }[];
  /** The highest score a class can reach (the number of other classes). */
  maxScore: number;
  scoreMeaning: string;
  /** Objects of the set by cosine similarity of standardised features, nearest first. */
  nearest: { index: number; id: string; className: string; similarity: number }[];
  /** Whether the cloud is like any class of the set (calibrated on the set's own shapes). */
  ood: OodVerdict & { nearestClass: string; meaning: string; shrinkage: number; folds: number };
}

export interface SetClassifier {
  /** `query` is one cloud's features [dim]; k classes and k nearest shapes. */
  predict(query: Float32Array, k?: number): Prediction;
}

/** Fits the SVM (train split), the scaler and the OOD score (every object, cross-fitted) once. */
export function fitSetClassifier(
  sample: ObjectFeatures,
  objects: readonly ObjectMeta[],
  classes: readonly string[],
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
  const labels = Int32Array.from(objects, (o) => o.label);
  const cal = calibrateOod(sample.features, labels, d, { falseAlarm: OOD_FALSE_ALARM });
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
          nearestClass: name(v.nearestLabel),
          meaning: OOD_MEANING,
          shrinkage: cal.model.shrinkage,
          folds: cal.folds,
        },
      };
    },
  };
}
