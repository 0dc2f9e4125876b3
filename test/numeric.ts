import { expect } from 'vitest';

type Arr = ArrayLike<number>;

/** Largest |a − b| and the index where it occurs. */
export function maxAbsDiff(a: Arr, b: Arr): { max: number; at: number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) {
      max = d; // NaN also lands here and fails the check below
      at = i;
    }
  }
  return { max, at };
}

/**
 * Asserts |got − want| ≤ atol + rtol·|want| elementwise, reporting the worst element.
 * NaN anywhere fails.
 */
export function expectClose(got: Arr, want: Arr, atol = 1e-5, rtol = 1e-4, what = 'values'): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const excess = Math.abs(g - w) - (atol + rtol * Math.abs(w));
    if (Number.isNaN(g) || Number.isNaN(w) || excess > worstExcess) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${got[worst]}, expected ${want[worst]} (atol ${atol}, rtol ${rtol}; ` +
        `${got.length} elements)`,
    );
  }
}

/**
 * Central finite difference of a scalar function f (evaluated in float64) with respect to
 * x[i], restoring x afterwards.
 */
export function centralDiff(f: () => number, x: Float64Array | Float32Array, i: number, eps = 1e-4): number {
  const orig = x[i]!;
  x[i] = orig + eps;
  const up = f();
  x[i] = orig - eps;
  const down = f();
  x[i] = orig;
  return (up - down) / (2 * eps);
}

/** Indices to probe: `count` distinct positions spread over [0, n) chosen by a simple LCG. */
export function sampleIndices(n: number, count: number, seed = 1): number[] {
  if (count >= n) return [...Array(n).keys()];
  const out = new Set<number>();
  let s = seed >>> 0 || 1;
  while (out.size < count) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.add(s % n);
  }
  return [...out].sort((a, b) => a - b);
}

export interface DifferenceCheck {
  /** What the failure message calls the gradient. */
  what: string;
  /** Positions probed (default 24, spread by sampleIndices). */
  samples?: number;
  /** Step of the central difference (default 1e-4; the loss runs in float64). */
  eps?: number;
  /** Default 1e-6 and 1e-5. */
  atol?: number;
  rtol?: number;
  /** Seed of the probed positions (default 3). */
  seed?: number;
  /** Positions where the loss has a kink (ReLU at 0, a max near a tie): not differenced. */
  skip?(i: number): boolean;
  /** Positions probed besides the sampled ones. */
  also?: readonly number[];
}

/**
 * The one central-difference check: differences the scalar `loss` (which reads `x`, float64) at
 * `samples` positions of x and compares them with `grad` (the analytic gradient of the loss with
 * respect to x). Returns the number of positions compared.
 */
export function expectGradientMatchesDifferences(
  loss: () => number,
  x: Float64Array,
  grad: ArrayLike<number>,
  o: DifferenceCheck,
): number {
  if (grad.length !== x.length)
    throw new Error(`${o.what}: gradient has ${grad.length} elements, x ${x.length}`);
  const idx = [...sampleIndices(x.length, o.samples ?? 24, o.seed ?? 3), ...(o.also ?? [])].filter(
    (i) => !o.skip?.(i),
  );
  expectClose(
    idx.map((i) => centralDiff(loss, x, i, o.eps ?? 1e-4)),
    idx.map((i) => grad[i]!),
    o.atol ?? 1e-6,
    o.rtol ?? 1e-5,
    `${o.what} vs central differences`,
  );
  return idx.length;
}
