/**
 * Exact k nearest rows by Euclidean distance, for the few hundred rows the analyses lay out.
 * UMAP needs each row's neighbour list; brute force at n ≈ 100 costs a few milliseconds and,
 * unlike umap-js's approximate NN-descent, gives the true neighbours and no random draws.
 */

export interface RowNeighbours {
  /** [n][k] row indices, the row itself first, then by distance, ties to the lower index. */
  indices: number[][];
  /** [n][k] Euclidean distances matching `indices` (0 for the row itself). */
  distances: number[][];
}

export interface ExactNeighboursOptions {
  /** Rows whose lists are computed between two pauses. */
  rowsPerSlice?: number;
  /** Called between slices so a worker can answer other requests meanwhile. */
  pause?: () => Promise<void>;
}

/** x: [n, d] row-major. k counts the row itself, as UMAP's neighbour lists do; k ≤ n. */
export async function exactNeighbours(
  x: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  opts: ExactNeighboursOptions = {},
): Promise<RowNeighbours> {
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(`k = ${k} neighbours needs 1 ≤ k ≤ n = ${n}`);
  const indices: number[][] = [];
  const distances: number[][] = [];
  const slice = Math.max(1, opts.rowsPerSlice ?? 32);
  const dist = new Float64Array(n); // [n] distances from the current row
  const order = new Int32Array(n); // [n] candidate rows, sorted per row
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c]! - x[j * d + c]!;
        s += t * t;
      }
      dist[j] = Math.sqrt(s);
      order[j] = j;
    }
    // The row itself first even when another row is identical to it: UMAP takes the first
    // list entry as the point itself.
    order.sort((a, b) => (a === i ? -1 : b === i ? 1 : dist[a]! - dist[b]! || a - b));
    const idx = Array.from(order.subarray(0, k));
    indices.push(idx);
    distances.push(idx.map((j) => (j === i ? 0 : dist[j]!)));
    if ((i + 1) % slice === 0 && i + 1 < n) await opts.pause?.();
  }
  return { indices, distances };
}
