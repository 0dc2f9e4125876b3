import { Rng } from '../util/random';
import {
  type EdgeConvDims,
  type EdgeConvRefForward,
  type EdgeConvRefInputs,
  LEAKY_SLOPE,
} from './edgeconv.ref';

// Inputs for the EdgeConv tests and benchmark (plain TypeScript, no GPU).

/** Exact kNN per cloud on x [B, C, N]: nearest first, self included, ties broken by the lower index. */
export function knnIdx(x: ArrayLike<number>, B: number, C: number, N: number, k: number): Int32Array {
  const out = new Int32Array(B * N * k);
  const order = [...Array(N).keys()];
  const dist = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let d = 0;
        for (let c = 0; c < C; c++) d += (x[(b * C + c) * N + i]! - x[(b * C + c) * N + j]!) ** 2;
        dist[j] = d;
      }
      order.sort((p, q) => dist[p]! - dist[q]! || p - q);
      for (let s = 0; s < k; s++) out[(b * N + i) * k + s] = order[s]!;
    }
  }
  return out;
}

export interface EdgeConvCaseOptions {
  /** Replace a share of the points by copies of point 0 (as point dropout does). */
  duplicatePoints?: number;
  /** Overwrite a share of the neighbour slots with another slot of the same row. */
  duplicateSlots?: number;
  /** Channels whose γ is negated, and channels whose γ is exactly 0. */
  negativeGamma?: number[];
  zeroGamma?: number[];
  /** Random valid indices instead of the kNN. */
  randomIdx?: boolean;
}

export interface EdgeConvCase {
  inputs: {
    x: Float32Array;
    idx: Int32Array;
    weight: Float32Array;
    gamma: Float32Array;
    beta: Float32Array;
    runningMean: Float32Array;
    runningVar: Float32Array;
  };
  /** Upstream gradient dy [B, Cout, N] (also the G of the loss Σ y ⊙ G). */
  dy: Float32Array;
}

export function makeEdgeConvCase(d: EdgeConvDims, seed: number, opt: EdgeConvCaseOptions = {}): EdgeConvCase {
  const { B, N, k, C, Cout: O } = d;
  const rng = new Rng(seed);
  const x = rng.uniformArray(B * C * N);
  if (opt.duplicatePoints) {
    for (let b = 0; b < B; b++) {
      for (let n = 1; n < N; n++) {
        if (rng.next() < opt.duplicatePoints) {
          for (let c = 0; c < C; c++) x[(b * C + c) * N + n] = x[(b * C + c) * N]!;
        }
      }
    }
  }
  const idx = opt.randomIdx
    ? Int32Array.from({ length: B * N * k }, () => rng.int(N))
    : knnIdx(x, B, C, N, k);
  if (opt.duplicateSlots && k > 1) {
    for (let r = 0; r < B * N; r++) {
      for (let s = 1; s < k; s++) {
        if (rng.next() < opt.duplicateSlots) idx[r * k + s] = idx[r * k + rng.int(s)]!;
      }
    }
  }
  const weight = rng.uniformArray(O * 2 * C, -1 / Math.sqrt(2 * C), 1 / Math.sqrt(2 * C));
  const gamma = rng.uniformArray(O, 0.5, 1.5);
  for (const o of opt.negativeGamma ?? []) if (o < O) gamma[o] = -gamma[o]!;
  for (const o of opt.zeroGamma ?? []) if (o < O) gamma[o] = 0;
  return {
    inputs: {
      x,
      idx,
      weight,
      gamma,
      beta: rng.uniformArray(O, -0.5, 0.5),
      runningMean: rng.uniformArray(O, -0.2, 0.2),
      runningVar: rng.uniformArray(O, 0.5, 1.5),
    },
    dy: rng.uniformArray(B * O * N),
  };
}

/** The reference's activated value of edge slot s of output t = (b·Cout + o)·N + i. */
export function refActivated(
  d: EdgeConvDims,
  inp: EdgeConvRefInputs,
  fwd: EdgeConvRefForward,
  t: number,
  s: number,
): number {
  const o = Math.floor(t / d.N) % d.Cout;
  const z =
    (inp.gamma[o]! * (fwd.e[t * d.k + s]! - fwd.mean[o]!)) / Math.sqrt(fwd.var[o]! + 1e-5) + inp.beta[o]!;
  return z > 0 ? z : LEAKY_SLOPE * z;
}

/**
 * Slots that differ from the reference's, except where the two slots' activated values are equal
 * to within `tol` (a near-tie that float32 may resolve either way). Returns the offending outputs.
 */
export function argMismatches(
  d: EdgeConvDims,
  inp: EdgeConvRefInputs,
  fwd: EdgeConvRefForward,
  got: ArrayLike<number>,
  tol = 1e-5,
): number[] {
  const bad: number[] = [];
  for (let t = 0; t < fwd.arg.length; t++) {
    const g = got[t]!;
    const w = fwd.arg[t]!;
    if (g === w) continue;
    if (g < 0 || g >= d.k) {
      bad.push(t);
      continue;
    }
    const a = refActivated(d, inp, fwd, t, g);
    const b = refActivated(d, inp, fwd, t, w);
    if (Math.abs(a - b) > tol * (1 + Math.abs(b))) bad.push(t);
  }
  return bad;
}
