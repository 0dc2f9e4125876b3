import type { PoolShape } from './pooling';

/** Reference forward for shaders/pooling.wgsl: out [B, 2C | C] and arg [B, C] (first max wins). */
export function poolForwardRef(s: PoolShape, x: ArrayLike<number>): { out: Float64Array; arg: Int32Array } {
  const { B, C, N } = s;
  const width = s.mode === 'maxmean' ? 2 * C : C;
  const meanOff = s.mode === 'maxmean' ? C : 0;
  const out = new Float64Array(B * width);
  const arg = new Int32Array(B * C);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++) {
      const base = (b * C + c) * N;
      let best = x[base]!;
      let bi = 0;
      let sum = 0;
      for (let n = 0; n < N; n++) {
        const v = x[base + n]!;
        if (v > best) {
          best = v;
          bi = n;
        }
        sum += v;
      }
      if (s.mode !== 'mean') {
        out[b * width + c] = best;
        arg[b * C + c] = bi;
      }
      if (s.mode !== 'max') out[b * width + meanOff + c] = sum / N;
    }
  return { out, arg };
}

/** Analytic backward: the max's gradient goes to its arg element, the mean's spreads as dmean/N. */
export function poolBackwardRef(
  s: PoolShape,
  arg: ArrayLike<number>,
  dout: ArrayLike<number>,
  into?: ArrayLike<number>,
): Float64Array {
  const { B, C, N } = s;
  const width = s.mode === 'maxmean' ? 2 * C : C;
  const meanOff = s.mode === 'maxmean' ? C : 0;
  const dx = new Float64Array(B * C * N);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let n = 0; n < N; n++) {
        const i = (b * C + c) * N + n;
        let g = into ? into[i]! : 0;
        if (s.mode !== 'mean' && arg[b * C + c] === n) g += dout[b * width + c]!;
        if (s.mode !== 'max') g += dout[b * width + meanOff + c]! / N;
        dx[i] = g;
      }
  return dx;
}
