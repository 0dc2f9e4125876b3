/**
 * The kNN's limits and the one check of a neighbour count k, apart from the kernel (no WGSL, no
 * GPU), so the UI, the trainer's config check, the CLI and the models import them cheaply.
 * src/kernels/knn.ts re-exports them.
 */
import { SHADER_CONSTANTS } from './shader-constants';

/** Largest k (the shader's private top-k arrays have this many slots). */
export const KNN_MAX_K: number = SHADER_CONSTANTS.KNN_MAX_K;

/** Largest point count the kernel is planned and tested for. */
export const KNN_MAX_POINTS = 4096;

/** Most candidate splits (the merge keeps one head per split in private memory). */
export const KNN_MAX_SPLITS: number = SHADER_CONSTANTS.KNN_MAX_SPLITS;

/**
 * Why `k` neighbours cannot be found per point (among `points` points per cloud, when given), or
 * undefined when they can: 1 ≤ k ≤ KNN_MAX_K and k ≤ points. The one rule every caller applies
 * (kernels, models, CLI, ONNX export); each wraps the message in its own error type.
 */
export function kProblem(k: number, points?: number): string | undefined {
  if (!Number.isInteger(k) || k < 1) return `k must be a positive integer (got ${k})`;
  if (k > KNN_MAX_K) return `k = ${k} is above the kNN kernel's maximum of ${KNN_MAX_K} neighbours`;
  if (points !== undefined && points < k)
    return `${points} points per cloud are fewer than k = ${k} neighbours`;
  return undefined;
}

/** Throws a RangeError (prefixed with `who`) when kProblem finds one. */
export function validateK(k: number, points?: number, who = 'kNN'): void {
  const why = kProblem(k, points);
  if (why) throw new RangeError(`${who}: ${why}`);
}
