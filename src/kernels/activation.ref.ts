/** Reference for shaders/activation.wgsl: y = x if x > 0 else slope·x (slope 0 is ReLU). */
export function activationRef(x: ArrayLike<number>, slope: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v > 0 ? v : slope * v;
  }
  return y;
}

/**
 * Analytic backward: dx = dy where t > 0, else slope·dy (t: the forward input or output; the
 * derivative at exactly 0 is the slope, as in PyTorch). Adds into `into` when given.
 */
export function activationBackwardRef(
  t: ArrayLike<number>,
  dy: ArrayLike<number>,
  slope: number,
  into?: ArrayLike<number>,
): Float64Array {
  const dx = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) dx[i] = (t[i]! > 0 ? dy[i]! : slope * dy[i]!) + (into ? into[i]! : 0);
  return dx;
}
