/** Reference of shaders/prototype.wgsl: zp = (z[:B] + z[B:]) / 2 and its backward (accumulating). */
export function prototypeRef(z: ArrayLike<number>, B: number, D: number): Float64Array {
  const zp = new Float64Array(B * D);
  for (let i = 0; i < B * D; i++) zp[i] = 0.5 * (z[i]! + z[B * D + i]!);
  return zp;
}

export function prototypeBackwardRef(
  dzp: ArrayLike<number>,
  dz: Float64Array,
  B: number,
  D: number,
): Float64Array {
  for (let i = 0; i < B * D; i++) {
    dz[i] = dz[i]! + 0.5 * dzp[i]!;
    dz[B * D + i] = dz[B * D + i]! + 0.5 * dzp[i]!;
  }
  return dz;
}
