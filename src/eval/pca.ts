/**
 * Projection of [n, d] rows onto their top-2 principal components (centred; power iteration
 * with deflation, float64). Deterministic: the start vectors are fixed and each component's sign
 * is chosen so that its largest-magnitude entry is positive.
 */
export function pca2(x: ArrayLike<number>, n: number, d: number, iterations = 200): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j]! / n;
  const xc = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xc[i * d + j] = x[i * d + j]! - mean[j]!;
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = 1 + ((j * 7919 + c * 104729) % 97) / 97; // fixed, generic start
    for (let it = 0; it < iterations; it++) {
      // w = Xᵀ X v, minus the projections on earlier components (deflation)
      const xv = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += xc[i * d + j]! * v[j]!;
        xv[i] = s;
      }
      const w = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) w[j] += xc[i * d + j]! * xv[i]!;
      for (const p of comps) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += w[j]! * p[j]!;
        for (let j = 0; j < d; j++) w[j] -= dot * p[j]!;
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-30) break;
      for (let j = 0; j < d; j++) w[j] /= norm;
      v = w;
    }
    let big = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
    if (v[big]! < 0) for (let j = 0; j < d; j++) v[j] = -v[j]!;
    comps.push(v);
  }
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc[i * d + j]! * comps[c]![j]!;
      out[2 * i + c] = s;
    }
  }
  return out;
}
