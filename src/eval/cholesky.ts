/** Cholesky factor and solves of a small symmetric positive definite matrix, in float64. */

/** Lower factor L [n, n] with A = L·Lᵀ, for A [n, n] symmetric positive definite (only its lower triangle is read). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n); // [n, n]
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j]!;
    for (let k = 0; k < j; k++) s -= l[j * n + k]! ** 2;
    if (!(s > 0)) throw new Error(`cholesky: the matrix is not positive definite (pivot ${j} is ${s})`);
    const d = Math.sqrt(s);
    l[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j]!;
      for (let k = 0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = t / d;
    }
  }
  return l;
}

/** y = L⁻¹·b (forward substitution), b [n]. */
export function forwardSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n); // [n]
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  return y;
}

/** bᵀ·A⁻¹·b = |L⁻¹·b|², for A = L·Lᵀ. */
export function inverseQuadratic(l: Float64Array, n: number, b: ArrayLike<number>): number {
  const y = forwardSolve(l, n, b);
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i]! ** 2;
  return s;
}
