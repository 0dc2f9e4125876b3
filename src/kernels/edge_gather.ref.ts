type Arr = ArrayLike<number>;

/** Reference of shaders/edge_gather.wgsl: E [B, 2C, N·k] = [x_j − x_i ; x_i] from dense x [B, C, N]. */
export function edgeGatherRef(B: number, N: number, k: number, C: number, x: Arr, idx: Arr): Float64Array {
  const nk = N * k;
  const E = new Float64Array(B * 2 * C * nk);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < N; i++)
        for (let s = 0; s < k; s++) {
          const m = i * k + s;
          const j = idx[b * nk + m]!;
          const xi = x[(b * C + c) * N + i]!;
          E[(b * 2 * C + c) * nk + m] = x[(b * C + c) * N + j]! - xi;
          E[(b * 2 * C + C + c) * nk + m] = xi;
        }
  return E;
}

/** Analytic backward: the gradient of x [B, C, N] given dE (each edge scatters to x_j and x_i). */
export function edgeGatherBackwardRef(
  B: number,
  N: number,
  k: number,
  C: number,
  idx: Arr,
  dE: Arr,
): Float64Array {
  const nk = N * k;
  const dx = new Float64Array(B * C * N);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < N; i++)
        for (let s = 0; s < k; s++) {
          const m = i * k + s;
          const j = idx[b * nk + m]!;
          const gd = dE[(b * 2 * C + c) * nk + m]!;
          dx[(b * C + c) * N + j]! += gd;
          dx[(b * C + c) * N + i]! += dE[(b * 2 * C + C + c) * nk + m]! - gd;
        }
  return dx;
}
