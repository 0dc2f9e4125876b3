/**
 * Analyses of a dataset's features that the Few-shot and Classify panels show, on the CPU:
 * few-shot episodes of a trained encoder against a random one (the Classify panel's prediction is
 * set-classifier.ts).
 */
import type { FeatureSet } from './features';
import { type FewShotResult, fewShotEval } from './fewshot';

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
