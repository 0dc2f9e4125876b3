type Arr = ArrayLike<number>;

/** Reference for src/nn/conv1x1.ts, float64: y[b,o,n] = Σ_c W[o,c]·x[b,c,n] (x dense [B, Cin, N]). */
export function conv1x1Ref(B: number, Cin: number, Cout: number, N: number, x: Arr, w: Arr): Float64Array {
  const y = new Float64Array(B * Cout * N);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < Cout; o++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let c = 0; c < Cin; c++) acc += w[o * Cin + c]! * x[(b * Cin + c) * N + n]!;
        y[(b * Cout + o) * N + n] = acc;
      }
  return y;
}

/** Analytic backward: dx = Wᵀ·dy per cloud, dW = Σ_b dy[b]·x[b]ᵀ. */
export function conv1x1BackwardRef(
  B: number,
  Cin: number,
  Cout: number,
  N: number,
  x: Arr,
  w: Arr,
  dy: Arr,
): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(B * Cin * N);
  const dw = new Float64Array(Cout * Cin);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < Cout; o++)
      for (let n = 0; n < N; n++) {
        const g = dy[(b * Cout + o) * N + n]!;
        for (let c = 0; c < Cin; c++) {
          dx[(b * Cin + c) * N + n]! += w[o * Cin + c]! * g;
          dw[o * Cin + c]! += g * x[(b * Cin + c) * N + n]!;
        }
      }
  return { dx, dw };
}
