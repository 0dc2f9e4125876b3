/** Reference for shaders/scale_add.wgsl: out = alpha·x + y, rounded to float32 per element. */
export function scaleAddRef(x: ArrayLike<number>, y: ArrayLike<number>, alpha: number): Float32Array {
  const out = new Float32Array(x.length);
  // Math.fround(alpha) * x is the f32 product the GPU forms; the sum is then rounded once more.
  const a = Math.fround(alpha);
  for (let i = 0; i < x.length; i++) out[i] = Math.fround(a * x[i]!) + y[i]!;
  return out;
}
