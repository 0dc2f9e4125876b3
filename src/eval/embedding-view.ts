import { pickMixedBatch } from '../data/geometry';
import type { SimilarityEval } from '../train/metrics-history';
import type { EmbeddingSet } from '../train/trainer-api';
import { pca2 } from './pca';
import { cosineSimilarityMatrix, retrievalAccuracy } from './similarity';
import { diagonalSummary } from './similarity-summary';
import { umap2 } from './umap';

export type Projection = 'pca' | 'umap';

/** Objects of each class in the similarity matrix's batch (so classes show as blocks); every class is in it. */
export const SIM_PER_CLASS = 2;

/** What the Embeddings and Similarity panels show of one embedding set. */
export interface EmbeddingView {
  projection: Projection;
  objects: number[];
  labels: number[];
  /** [n·2] 2-D coordinates of the point and image projections. */
  pointXY: Float32Array;
  imageXY: Float32Array;
  /** [2n·2] both modalities in one 2-D space (PCA of the n point and n image projections together, each scaled to unit length): points first, then images. */
  jointXY: Float32Array;
  dim: number;
  /** The batch of the similarity matrix: indices into `objects`. */
  batch: number[];
  /** [B·B] cosine similarity, rows points, columns images. */
  sim: Float32Array;
  retrieval: { pointToImage: number; imageToPoint: number };
  /** The batch's mean diagonal and off-diagonal similarity and retrieval, for the curves over training. */
  summary: Omit<SimilarityEval, 'step'>;
}

/** `limit` objects spread evenly over a set of `count` (the set is ordered class by class). */
export function spreadObjects(count: number, limit: number): number[] {
  const n = Math.min(limit, count);
  return Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
}

export interface EmbeddingViewOptions {
  onProgress?: (task: string, done: number, total: number) => void;
  /** Lets other work in between slices of UMAP (the worker yields to its event loop). */
  pause?: () => Promise<void>;
}

/**
 * Both embedding spaces in 2-D (PCA: power iteration on the d×d covariance, milliseconds; UMAP:
 * optimised in slices with pauses and progress) and the cross-modal similarity of a batch mixing
 * the classes, with its retrieval accuracy.
 */
export async function embeddingView(
  set: EmbeddingSet,
  objects: number[],
  projection: Projection,
  opts: EmbeddingViewOptions = {},
): Promise<EmbeddingView> {
  const n = objects.length;
  const d = set.dim;
  const task = `Projecting to 2-D (${projection.toUpperCase()})`;
  const project = async (x: Float32Array, which: number) => {
    if (projection === 'pca') return pca2(x, n, d);
    return umap2(x, n, d, {
      pause: opts.pause,
      onProgress: (done, total) => opts.onProgress?.(task, which * total + done, 2 * total),
    });
  };
  if (projection === 'pca') opts.onProgress?.(task, 0, 2);
  const pointXY = await project(set.point, 0);
  if (projection === 'pca') opts.onProgress?.(task, 1, 2);
  await opts.pause?.();
  const imageXY = await project(set.image, 1);
  // One space for both: the projections share their dimension, so PCA of the 2n unit rows together
  // puts each shape's point and image embeddings on one map (joined by a line in the panel).
  const both = new Float32Array(2 * n * d); // [2n, d]
  both.set(set.point.subarray(0, n * d), 0);
  both.set(set.image.subarray(0, n * d), n * d);
  // Unit rows: the loss compares directions (cosine), so lengths must not place the two apart.
  for (let r = 0; r < 2 * n; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += both[r * d + j]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) both[r * d + j]! *= inv;
  }
  const jointXY = pca2(both, 2 * n, d);
  const classes = new Set(set.labels).size;
  const batch = pickMixedBatch(set.labels, classes * SIM_PER_CLASS, SIM_PER_CLASS);
  const rows = (x: Float32Array) => {
    const out = new Float32Array(batch.length * d); // [B, d]
    for (let i = 0; i < batch.length; i++) out.set(x.subarray(batch[i]! * d, (batch[i]! + 1) * d), i * d);
    return out;
  };
  const sim = cosineSimilarityMatrix(rows(set.point), rows(set.image), batch.length, d);
  const retrieval = retrievalAccuracy(sim, batch.length);
  const { diag, off } = diagonalSummary(sim, batch.length);
  return {
    projection,
    objects,
    labels: set.labels,
    pointXY,
    imageXY,
    jointXY,
    dim: d,
    batch,
    sim,
    retrieval,
    summary: {
      simDiag: diag,
      simOff: off,
      retrieval: (retrieval.pointToImage + retrieval.imageToPoint) / 2,
      batch: batch.length,
    },
  };
}
