/**
 * Projection of [n, d] rows onto their top-2 principal components, in float64. The smaller of
 * the two Gram matrices is formed once, Xcᵀ Xc [d, d] or Xc Xcᵀ [n, n] (same non-zero spectrum),
 * then each component is found by power iteration on it (O(m²) per iteration, m = min(n, d)) with
 * deflation, stopping when the direction settles. Deterministic: the start vectors are fixed and
 * each component's sign is chosen so that its largest-magnitude entry in feature space is
 * positive.
 */
export function pca2(x: ArrayLike<number>, n: number, d: number, maxIterations = 500): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
  const xc = new Float64Array(n * d); // [n, d] centred rows
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = x[i * d + j]! - mean[j]!;
  const byRows = n < d; // iterate on the [n, n] Gram matrix of the rows
  const m = byRows ? n : d;
  const gram = byRows ? rowGram(xc, n, d) : covariance(xc, n, d); // [m, m], symmetric
  const eig: Float64Array[] = [];
  for (let c = 0; c < 2; c++) eig.push(topEigenvector(gram, m, eig, c, maxIterations));
  const out = new Float32Array(n * 2); // [n, 2]
  for (let c = 0; c < 2; c++) {
    // The component in feature space: v itself, or Xcᵀ u for an eigenvector u of the row Gram.
    const v = byRows ? toFeatureSpace(xc, n, d, eig[c]!) : eig[c]!;
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
    const sign = v[big]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc[i * d + j]! * v[j]!;
      out[2 * i + c] = sign * s;
    }
  }
  return out;
}

/** The leading eigenvector of symmetric g [m, m] orthogonal to `earlier` (zero if none is left). */
function topEigenvector(
  g: Float64Array,
  m: number,
  earlier: Float64Array[],
  c: number,
  maxIterations: number,
): Float64Array {
  let v = new Float64Array(m);
  for (let j = 0; j < m; j++) v[j] = 1 + ((j * 7919 + c * 104729) % 97) / 97; // fixed, generic start
  if (!normalise(v)) return v;
  for (let it = 0; it < maxIterations; it++) {
    const w = new Float64Array(m); // w = G v, minus the projections on earlier components
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += g[r * m + j]! * v[j]!;
      w[r] = s;
    }
    for (const p of earlier) {
      const dot = dotProduct(w, p);
      for (let j = 0; j < m; j++) w[j] -= dot * p[j]!;
    }
    if (!normalise(w)) return new Float64Array(m); // no variance left in this direction
    const settled = 1 - Math.abs(dotProduct(w, v)) < 1e-12;
    v = w;
    if (settled) break;
  }
  return v;
}

/** Xcᵀ Xc of centred rows [n, d] → [d, d] (the 1/n scale does not change the directions). */
function covariance(xc: Float64Array, n: number, d: number): Float64Array {
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let r = 0; r < d; r++) {
      const a = xc[row + r]!;
      if (a === 0) continue;
      for (let j = r; j < d; j++) cov[r * d + j] += a * xc[row + j]!;
    }
  }
  for (let r = 0; r < d; r++) for (let j = 0; j < r; j++) cov[r * d + j] = cov[j * d + r]!;
  return cov;
}

/** Xc Xcᵀ → [n, n]. */
function rowGram(xc: Float64Array, n: number, d: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc[a * d + j]! * xc[b * d + j]!;
      g[a * n + b] = s;
      g[b * n + a] = s;
    }
  }
  return g;
}

/** Xcᵀ u, normalised: the feature-space direction of the row Gram's eigenvector u. */
function toFeatureSpace(xc: Float64Array, n: number, d: number, u: Float64Array): Float64Array {
  const v = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j] += xc[i * d + j]! * u[i]!;
  normalise(v);
  return v;
}

function dotProduct(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

/** Scales v to unit length in place; false when it is (numerically) zero. */
function normalise(v: Float64Array): boolean {
  const norm = Math.sqrt(dotProduct(v, v));
  if (norm < 1e-30) return false;
  for (let j = 0; j < v.length; j++) v[j] /= norm;
  return true;
}
