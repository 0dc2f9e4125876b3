import type { KnnShape } from './knn';

/** Element index of x[b, c, n] for a kNN input laid out as in KnnShape. */
export function knnInputIndex(s: KnnShape, b: number, c: number, n: number): number {
  return (s.offset ?? 0) + b * (s.batchStride ?? s.C * s.N) + c * s.N + n;
}

/** Exact (float64) squared distance between points i and j of cloud b. */
export function knnSqDist(s: KnnShape, x: ArrayLike<number>, b: number, i: number, j: number): number {
  let d = 0;
  for (let c = 0; c < s.C; c++) {
    const v = x[knnInputIndex(s, b, c, i)]! - x[knnInputIndex(s, b, c, j)]!;
    d += v * v;
  }
  return d;
}

/** Squared distances from point i of cloud b to every point of the cloud, in float64. */
export function knnRowRef(s: KnnShape, x: ArrayLike<number>, b: number, i: number): Float64Array {
  const row = new Float64Array(s.N);
  for (let c = 0; c < s.C; c++) {
    const q = x[knnInputIndex(s, b, c, i)]!;
    const base = knnInputIndex(s, b, c, 0);
    for (let j = 0; j < s.N; j++) {
      const v = q - x[base + j]!;
      row[j] += v * v;
    }
  }
  return row;
}

/**
 * Reference for shaders/knn.wgsl: idx [B, N, k], for each point the k nearest points of its
 * cloud by exact squared distance, nearest first, self included, exact ties to the lower index.
 */
export function knnRef(s: KnnShape, x: ArrayLike<number>): Int32Array {
  const { B, N, k } = s;
  const out = new Int32Array(B * N * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      const row = knnRowRef(s, x, b, i);
      let n = 0; // filled slots, sorted by (distance, index)
      for (let j = 0; j < N; j++) {
        const d = row[j]!;
        // j grows, so an equal distance never moves ahead of an entry already kept.
        if (n === k && d >= bestD[k - 1]!) continue;
        let pos = n < k ? n++ : k - 1;
        while (pos > 0 && bestD[pos - 1]! > d) {
          bestD[pos] = bestD[pos - 1]!;
          bestI[pos] = bestI[pos - 1]!;
          pos--;
        }
        bestD[pos] = d;
        bestI[pos] = j;
      }
      out.set(bestI, (b * N + i) * k);
    }
  }
  return out;
}
