import type { ConcatShape } from './concat';

/** Reference forward for shaders/concat.wgsl: writes (or adds) part into whole's channel slice. */
export function concatForwardRef(
  s: ConcatShape,
  part: ArrayLike<number>,
  whole: Float32Array | Float64Array,
): Float32Array | Float64Array {
  for (let b = 0; b < s.B; b++)
    for (let c = 0; c < s.C; c++)
      for (let n = 0; n < s.N; n++) {
        const w = (b * s.Ctot + s.c0 + c) * s.N + n;
        const v = part[(b * s.C + c) * s.N + n]!;
        whole[w] = s.accumulateForward ? whole[w]! + v : v;
      }
  return whole;
}

/** Reference backward: dPart (+)= dWhole[:, c0:c0+C, :]. */
export function concatBackwardRef(
  s: ConcatShape,
  dWhole: ArrayLike<number>,
  dPart: Float32Array | Float64Array,
): Float32Array | Float64Array {
  for (let b = 0; b < s.B; b++)
    for (let c = 0; c < s.C; c++)
      for (let n = 0; n < s.N; n++) {
        const i = (b * s.C + c) * s.N + n;
        const v = dWhole[(b * s.Ctot + s.c0 + c) * s.N + n]!;
        dPart[i] = s.accumulateBackward ? dPart[i]! + v : v;
      }
  return dPart;
}
