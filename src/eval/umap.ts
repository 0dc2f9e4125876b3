import { UMAP } from 'umap-js';
import { Rng } from '../util/random';

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
}

/**
 * UMAP of [n, d] rows to 2-D with a seeded random source, so the same rows give the same
 * picture. The neighbour graph is built first, then the layout is optimised epoch by epoch in
 * slices (umap-js's initializeFit / step), with a pause and a progress report between slices.
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
  const u = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(15, n - 1)),
    random: () => rng.next(),
  });
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
