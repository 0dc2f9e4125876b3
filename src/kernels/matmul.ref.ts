import type { MatmulShape } from './matmul';

/** Reference for shaders/matmul.wgsl with float64 accumulation. Mutates and returns `c`. */
export function matmulRef(
  s: MatmulShape,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  c: Float32Array | Float64Array,
  bias?: ArrayLike<number>,
): Float32Array | Float64Array {
  const sa = s.strideA ?? s.M * s.K;
  const sb = s.strideB ?? s.K * s.N;
  const sc = s.strideC ?? s.M * s.N;
  const oa = s.offsetA ?? 0;
  const ob = s.offsetB ?? 0;
  const oc = s.offsetC ?? 0;
  const alpha = s.alpha ?? 1;
  for (let bi = 0; bi < s.batch; bi++) {
    for (let m = 0; m < s.M; m++) {
      for (let n = 0; n < s.N; n++) {
        let acc = 0;
        for (let k = 0; k < s.K; k++) {
          const av = s.transA ? a[oa + bi * sa + k * s.M + m]! : a[oa + bi * sa + m * s.K + k]!;
          const bv = s.transB ? b[ob + bi * sb + n * s.K + k]! : b[ob + bi * sb + k * s.N + n]!;
          acc += av * bv;
        }
        let v = alpha * acc;
        if (s.bias === 'row') v += bias![m]!;
        if (s.bias === 'col') v += bias![n]!;
        const ci = oc + bi * sc + m * s.N + n;
        if (s.accumulate) v += c[ci]!;
        c[ci] = v;
      }
    }
  }
  return c;
}
