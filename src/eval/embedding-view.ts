import { pickMixedBatch } from '../data/geometry';
import type { EmbeddingSet } from '../train/trainer-api';
import { pca2 } from './pca';
import { cosineSimilarityMatrix, retrievalAccuracy } from './similarity';
import { umap2 } from './umap';

export type Projection = 'pca' | 'umap';

/** Objects in the similarity matrix's batch, SIM_PER_CLASS of each class (so classes show as blocks). */
export const SIM_BATCH = 12;
export const SIM_PER_CLASS = 2;

/** What the Embeddings and Similarity panels show of one embedding set. */
export interface EmbeddingView {
  projection: Projection;
  objects: number[];
  labels: number[];
  /** [n·2] 2-D coordinates of the point and image projections. */
  pointXY: Float32Array;
  imageXY: Float32Array;
  dim: number;
  /** The batch of the similarity matrix: indices into `objects`. */
  batch: number[];
  /** [B·B] cosine similarity, rows points, columns images. */
  sim: Float32Array;
  retrieval: { pointToImage: number; imageToPoint: number };
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
  const batch = pickMixedBatch(set.labels, SIM_BATCH, SIM_PER_CLASS);
  const rows = (x: Float32Array) => {
    const out = new Float32Array(batch.length * d); // [B, d]
    for (let i = 0; i < batch.length; i++) out.set(x.subarray(batch[i]! * d, (batch[i]! + 1) * d), i * d);
    return out;
  };
  const sim = cosineSimilarityMatrix(rows(set.point), rows(set.image), batch.length, d);
  return {
    projection,
    objects,
    labels: set.labels,
    pointXY,
    imageXY,
    dim: d,
    batch,
    sim,
    retrieval: retrievalAccuracy(sim, batch.length),
  };
}
