/**
 * Projection of [n, d] rows onto their top-2 principal components: the d×d covariance is formed
 * once (O(n·d²)), then each component is found by power iteration on it (O(d²) per iteration,
 * independent of n) with deflation, in float64, stopping when the direction settles.
 * Deterministic: the start vectors are fixed and each component's sign is chosen so that its
 * largest-magnitude entry is positive.
 */
export function pca2(x: ArrayLike<number>, n: number, d: number, maxIterations = 500): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
  const xc = new Float64Array(n * d); // [n, d] centred rows
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = x[i * d + j]! - mean[j]!;
  const cov = covariance(xc, n, d); // [d, d], symmetric
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919 + c * 104729) % 97) / 97; // fixed, generic start
    normalise(v);
    for (let it = 0; it < maxIterations; it++) {
      const w = new Float64Array(d); // w = C v, minus the projections on earlier components
      for (let r = 0; r < d; r++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += cov[r * d + j]! * v[j]!;
        w[r] = s;
      }
      for (const p of comps) {
        const dot = dotProduct(w, p);
        for (let j = 0; j < d; j++) w[j] -= dot * p[j]!;
      }
      if (!normalise(w)) break; // no variance left in this direction
      const settled = Math.abs(Math.abs(dotProduct(w, v)) - 1) < 1e-13;
      v = w;
      if (settled) break;
    }
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
    if (v[big]! < 0) for (let j = 0; j < d; j++) v[j] = -v[j]!;
    comps.push(v);
  }
  const out = new Float32Array(n * 2); // [n, 2]
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc[i * d + j]! * comps[c]![j]!;
      out[2 * i + c] = s;
    }
  }
  return out;
}

/** Xᵀ X of centred rows [n, d] → [d, d] (the 1/n scale does not change the directions). */
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
