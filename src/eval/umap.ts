import { UMAP } from 'umap-js';
import { Rng } from '../util/random';
import { exactNeighbours } from './exact-neighbours';

export interface Umap2Options {
  /** Optimisation epochs done so far, reported after each slice. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Called between slices of epochs: the worker yields to its event loop there, so training
   * steps and other requests go on while UMAP runs.
   */
  pause?: () => Promise<void>;
  /** Epochs per slice. */
  slice?: number;
  /**
   * 'exact' (default): brute-force neighbour lists, in slices. 'nn-descent': umap-js's own
   * approximate search, one block inside initializeFit; kept as the benchmark's alternative.
   */
  neighbours?: 'exact' | 'nn-descent';
}

/**
 * UMAP of [n, d] rows to 2-D with a seeded random source, so the same rows give the same
 * picture. The exact neighbour lists come first (brute force, in slices of rows with pauses:
 * umap-js's own approximate search was most of the one long block before the first epoch), then
 * umap-js builds the graph from them and the layout is optimised epoch by epoch in slices
 * (initializeFit / step), with a pause and a progress report between slices.
 */
export async function umap2(
  x: ArrayLike<number>,
  n: number,
  d: number,
  opts: Umap2Options = {},
): Promise<Float32Array> {
  if (n < 3) return new Float32Array(n * 2); // no neighbourhood to lay out
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => x[i * d + j]!));
  const rng = new Rng(12345);
  const nNeighbors = Math.max(2, Math.min(15, n - 1));
  const u = new UMAP({ nComponents: 2, nNeighbors, random: () => rng.next() });
  if ((opts.neighbours ?? 'exact') === 'exact') {
    const knn = await exactNeighbours(x, n, d, nNeighbors, { pause: opts.pause });
    u.setPrecomputedKNN(knn.indices, knn.distances);
    await opts.pause?.();
  }
  const epochs = u.initializeFit(rows);
  const slice = opts.slice ?? 50;
  for (let e = 0; e < epochs; ) {
    const end = Math.min(epochs, e + slice);
    for (; e < end; e++) u.step();
    opts.onProgress?.(e, epochs);
    if (e < epochs) await opts.pause?.();
  }
  return Float32Array.from(u.getEmbedding().flat());
}
