import type { LinearShape } from './linear';

type Arr = ArrayLike<number>;

/** Reference forward for src/kernels/linear.ts: y = x·Wᵀ (+ b), float64. */
export function linearForwardRef(s: LinearShape, x: Arr, w: Arr, b?: Arr): Float64Array {
  const { B, inFeatures: I, outFeatures: O } = s;
  const y = new Float64Array(B * O);
  for (let r = 0; r < B; r++)
    for (let o = 0; o < O; o++) {
      let acc = s.bias ? b![o]! : 0;
      for (let i = 0; i < I; i++) acc += x[r * I + i]! * w[o * I + i]!;
      y[r * O + o] = acc;
    }
  return y;
}

/** Analytic backward: dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy; `into` values are added. */
export function linearBackwardRef(
  s: LinearShape,
  x: Arr,
  w: Arr,
  dy: Arr,
  into: { dx?: Arr; dw?: Arr; db?: Arr } = {},
): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const { B, inFeatures: I, outFeatures: O } = s;
  const dx = Float64Array.from(into.dx ?? new Float64Array(B * I));
  const dw = Float64Array.from(into.dw ?? new Float64Array(O * I));
  const db = Float64Array.from(into.db ?? new Float64Array(O));
  for (let r = 0; r < B; r++)
    for (let o = 0; o < O; o++) {
      const g = dy[r * O + o]!;
      db[o]! += g;
      for (let i = 0; i < I; i++) {
        dx[r * I + i]! += g * w[o * I + i]!;
        dw[o * I + i]! += g * x[r * I + i]!;
      }
    }
  return { dx, dw, db };
}
