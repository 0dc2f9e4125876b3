/**
 * Whether a user's cloud looks like anything in the dataset, judged against the dataset's own
 * spread so no absolute threshold is needed: a classifier always names some class, and for a
 * shape unlike every class that label would read as confident when it is only the least-bad.
 *
 * Two tests, both relative to the set itself:
 * - nearest shape: the query's best cosine similarity to any object, against the similarity each
 *   object has to its own nearest other object (leave-one-out); "low" is below the 5th percentile.
 * - class spread: the query's distance to the nearest class centre (standardised features of the
 *   train split), against the distances of train objects to their own class centre; "far" is
 *   beyond the 95th percentile.
 * The shape is called far from every class only when both hold, so one noisy measure cannot flag
 * an ordinary shape.
 */

export interface Familiarity {
  /** True when the shape is unlike every class by both tests. */
  far: boolean;
  /** The query's best cosine similarity to an object of the set. */
  nearestSimilarity: number;
  /** 5th percentile of the set's own leave-one-out nearest-object similarities. */
  typicalNearest: number;
  /** The query's distance to the nearest class centre (standardised features). */
  centreDistance: number;
  /** 95th percentile of train objects' distances to their own class centre. */
  typicalCentreDistance: number;
  /** One sentence per test that failed, for the user. */
  reasons: string[];
}

/** Nearest-rank percentile p ∈ [0, 1] of xs. */
function percentile(xs: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(xs).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1));
  return s[i]!;
}

function cosine(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < d; j++) {
    const x = a[ao + j]!;
    const y = b[bo + j]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.max(Math.sqrt(na * nb), 1e-12);
}

/**
 * `sample` holds every object's features [n, dim]; `query` is [dim]. Needs at least two objects
 * and one train object per class that has any.
 */
export function familiarity(
  sample: { features: Float32Array; dim: number },
  objects: readonly { label: number; split: 'train' | 'test' }[],
  query: Float32Array,
): Familiarity {
  const d = sample.dim;
  const n = objects.length;
  const f = sample.features;

  // Nearest shape: the query's best similarity, and each object's leave-one-out best.
  let nearestSimilarity = -1;
  const ownNearest = new Float64Array(n).fill(-1); // [n]
  for (let i = 0; i < n; i++) {
    nearestSimilarity = Math.max(nearestSimilarity, cosine(query, 0, f, i * d, d));
    for (let k = i + 1; k < n; k++) {
      const s = cosine(f, i * d, f, k * d, d);
      if (s > ownNearest[i]!) ownNearest[i] = s;
      if (s > ownNearest[k]!) ownNearest[k] = s;
    }
  }
  const typicalNearest = percentile(ownNearest, 0.05);

  // Class spread in the train split's standardised coordinates (per-feature mean and std).
  const train = objects.flatMap((o, i) => (o.split === 'train' ? [i] : []));
  const mean = new Float64Array(d); // [d]
  const sd = new Float64Array(d); // [d]
  for (const i of train) for (let j = 0; j < d; j++) mean[j]! += f[i * d + j]! / train.length;
  for (const i of train) for (let j = 0; j < d; j++) sd[j]! += (f[i * d + j]! - mean[j]!) ** 2 / train.length;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const z = (src: ArrayLike<number>, off: number, j: number) => (src[off + j]! - mean[j]!) / sd[j]!;

  const centres = new Map<number, Float64Array>(); // label → [d]
  const counts = new Map<number, number>();
  for (const i of train) {
    const label = objects[i]!.label;
    const c = centres.get(label) ?? new Float64Array(d);
    for (let j = 0; j < d; j++) c[j]! += z(f, i * d, j);
    centres.set(label, c);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  for (const [label, c] of centres) for (let j = 0; j < d; j++) c[j]! /= counts.get(label)!;
  const dist = (src: ArrayLike<number>, off: number, c: Float64Array) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += (z(src, off, j) - c[j]!) ** 2;
    return Math.sqrt(s);
  };
  const ownCentre = Float64Array.from(train, (i) => dist(f, i * d, centres.get(objects[i]!.label)!));
  const typicalCentreDistance = percentile(ownCentre, 0.95);
  let centreDistance = Number.POSITIVE_INFINITY;
  for (const c of centres.values()) centreDistance = Math.min(centreDistance, dist(query, 0, c));

  const reasons: string[] = [];
  if (nearestSimilarity < typicalNearest) {
    reasons.push(
      `its nearest shape of the set has cosine similarity ${nearestSimilarity.toFixed(3)}, below the ` +
        `${typicalNearest.toFixed(3)} that 95 % of the set's own shapes reach with their nearest neighbour`,
    );
  }
  if (centreDistance > typicalCentreDistance) {
    reasons.push(
      `it lies ${(centreDistance / typicalCentreDistance).toFixed(1)}× farther from the nearest class centre ` +
        `than 95 % of the train shapes lie from their own class centre`,
    );
  }
  const far = nearestSimilarity < typicalNearest && centreDistance > typicalCentreDistance;
  return { far, nearestSimilarity, typicalNearest, centreDistance, typicalCentreDistance, reasons };
}
