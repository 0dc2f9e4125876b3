/** Synthetic labelled feature sets for the evaluation tests. */
import type { Rng } from '../src/util/random';
import type { FeatureSet } from '../src/eval/features';

/** `perClass[c]` samples of class c (label c·3 + 1) around a class centre in d dims; noise std `noise`. */
export function clusters(rng: Rng, perClass: number[], d: number, noise: number, centres?: number[][]) {
  const cs = centres ?? perClass.map(() => Array.from({ length: d }, () => rng.normal(0, 3)));
  const n = perClass.reduce((a, b) => a + b, 0);
  const features = new Float32Array(n * d);
  const labels = new Int32Array(n);
  let i = 0;
  perClass.forEach((count, c) => {
    for (let k = 0; k < count; k++, i++) {
      labels[i] = c * 3 + 1;
      for (let j = 0; j < d; j++) features[i * d + j] = cs[c]![j]! + rng.normal(0, noise);
    }
  });
  return { set: { features, labels } as FeatureSet, centres: cs };
}
