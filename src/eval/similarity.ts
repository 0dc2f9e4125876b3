/**
 * Cross-modal cosine similarity of a batch: rows are point embeddings, columns image
 * embeddings of the same objects in the same order, so positives lie on the diagonal.
 */
export function cosineSimilarityMatrix(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  d: number,
): Float32Array {
  const norm = (x: ArrayLike<number>, i: number) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
    return Math.max(Math.sqrt(s), 1e-12);
  };
  const na = Array.from({ length: n }, (_, i) => norm(a, i));
  const nb = Array.from({ length: n }, (_, i) => norm(b, i));
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += a[i * d + j]! * b[k * d + j]!;
      out[i * n + k] = s / (na[i]! * nb[k]!);
    }
  }
  return out;
}

/**
 * Top-1 retrieval accuracy both ways: the fraction of rows whose best column is their own
 * (points → images) and of columns whose best row is their own (images → points). Ties go to
 * the lower index, so a constant matrix scores 1/n, not 1.
 */
export function retrievalAccuracy(
  sim: ArrayLike<number>,
  n: number,
): { pointToImage: number; imageToPoint: number } {
  let p2i = 0;
  let i2p = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < n; k++) if (sim[i * n + k]! > sim[i * n + best]!) best = k;
    if (best === i) p2i++;
    let bestR = 0;
    for (let r = 1; r < n; r++) if (sim[r * n + i]! > sim[bestR * n + i]!) bestR = r;
    if (bestR === i) i2p++;
  }
  return { pointToImage: p2i / n, imageToPoint: i2p / n };
}
