/**
 * Analyses of a dataset's features that the Few-shot and Classify panels show, on the CPU:
 * few-shot episodes of a trained encoder against a random one, and a prediction for a user's
 * cloud (a linear SVM on the train split, and the nearest shapes).
 */
import { topK } from '../data/geometry';
import { type Familiarity, familiarity } from './familiarity';
import { applyScaler, type FeatureSet, fitScaler } from './features';
import { type FewShotResult, fewShotEval } from './fewshot';
import { fitClassifier } from './classifier';

/** What the analyses need to know of each dataset object. */
export interface ObjectMeta {
  id: string;
  label: number;
  split: 'train' | 'test';
}

/** Rows [n, dim] of the dataset objects, object order. */
export interface ObjectFeatures {
  features: Float32Array;
  dim: number;
}

export interface FewShotParams {
  way: number;
  shot: number;
  query: number;
  episodes: number;
  seed: number;
}

export interface FewShotComparison {
  params: FewShotParams;
  trained: FewShotResult;
  random: FewShotResult;
  /** Feature dimension and the split sizes the episodes drew from. */
  dim: number;
  trainObjects: number;
  testObjects: number;
}

/** The rows and labels of one split. */
export function splitRows(
  f: ObjectFeatures,
  objects: readonly ObjectMeta[],
  which: 'train' | 'test',
): FeatureSet {
  const idx = objects.flatMap((o, i) => (o.split === which ? [i] : []));
  const features = new Float32Array(idx.length * f.dim); // [|split|, dim]
  for (let i = 0; i < idx.length; i++) {
    features.set(f.features.subarray(idx[i]! * f.dim, (idx[i]! + 1) * f.dim), i * f.dim);
  }
  return { features, labels: Int32Array.from(idx, (i) => objects[i]!.label) };
}

/** The same episodes (support from train, queries from test) on trained and random-init features. */
export function compareFewShot(
  trained: ObjectFeatures,
  random: ObjectFeatures,
  objects: readonly ObjectMeta[],
  params: FewShotParams,
  onProgress: (done: number, total: number) => void = () => {},
): FewShotComparison {
  const opts = { ...params, protocol: 'ours' as const };
  const run = (f: ObjectFeatures) =>
    fewShotEval(splitRows(f, objects, 'train'), splitRows(f, objects, 'test'), opts);
  onProgress(0, 2);
  const trainedRes = run(trained);
  onProgress(1, 2);
  const randomRes = run(random);
  return {
    params,
    trained: trainedRes,
    random: randomRes,
    dim: trained.dim,
    trainObjects: objects.filter((o) => o.split === 'train').length,
    testObjects: objects.filter((o) => o.split === 'test').length,
  };
}

export interface Prediction {
  top: { label: number; className: string; score: number }[];
  nearest: { index: number; id: string; className: string; similarity: number }[];
  /** Whether the cloud is like any class of the set at all (a classifier always names one). */
  familiarity: Familiarity;
}

/**
 * A user's cloud against the dataset: the top classes of a linear SVC (C = 0.01, libsvm) fitted on the
 * standardised features of the train split, and the nearest objects by cosine similarity of the
 * raw features, and whether the cloud is far from every class (familiarity.ts). `query` is [dim].
 */
export function predictFromFeatures(
  sample: ObjectFeatures,
  objects: readonly ObjectMeta[],
  classes: readonly string[],
  query: Float32Array,
  k = 5,
): Prediction {
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
  const scores = svm.decisionFunction(applyScaler(Float64Array.from(query), scaler), 1);
  const name = (label: number) => classes[label] ?? String(label);
  const top = topK(scores, Math.min(k, scores.length)).map((c) => {
    const label = svm.classes[c]!;
    return { label, className: name(label), score: scores[c]! };
  });
  const sims = new Float32Array(objects.length);
  for (let i = 0; i < objects.length; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < d; j++) {
      const a = query[j]!;
      const b = sample.features[i * d + j]!;
      dot += a * b;
      na += a * a;
      nb += b * b;
    }
    sims[i] = dot / Math.max(Math.sqrt(na * nb), 1e-12);
  }
  const nearest = topK(sims, Math.min(k, objects.length)).map((i) => ({
    index: i,
    id: objects[i]!.id,
    className: name(objects[i]!.label),
    similarity: sims[i]!,
  }));
  return { top, nearest, familiarity: familiarity(sample, objects, query) };
}
