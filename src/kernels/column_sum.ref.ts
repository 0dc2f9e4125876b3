/** Reference for shaders/column_sum.wgsl: column sums of x [R, C] in float64 (added to `out` when given). */
export function columnSumRef(
  x: ArrayLike<number>,
  R: number,
  C: number,
  out?: ArrayLike<number>,
): Float64Array {
  const s = new Float64Array(C);
  if (out) for (let c = 0; c < C; c++) s[c] = out[c]!;
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) s[c]! += x[r * C + c]!;
  return s;
}
