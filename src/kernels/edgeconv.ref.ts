/**
 * Reference for shaders/edgeconv.wgsl and shaders/edgeconv_naive.wgsl: EdgeConv as PyTorch's
 * DGCNN computes it (conv 1×1 on [x_j − x_i ; x_i] → BatchNorm2d → LeakyReLU(0.2) → max over k),
 * with the edge tensor written out and float64 throughout. Inputs are dense (no slices).
 */

import { BN_EPS, BN_MOMENTUM, type BnMode, type EdgeConvDims, LEAKY_SLOPE } from './edgeconv-dims';

export { BN_EPS, BN_MOMENTUM, type BnMode, type EdgeConvDims, LEAKY_SLOPE };

export interface EdgeConvRefInputs {
  x: ArrayLike<number>; // [B, C, N]
  idx: ArrayLike<number>; // [B, N, k], values in [0, N)
  weight: ArrayLike<number>; // [Cout, 2C]: channels 0..C−1 multiply x_j − x_i, C..2C−1 multiply x_i
  gamma: ArrayLike<number>; // [Cout]
  beta: ArrayLike<number>; // [Cout]
  runningMean: ArrayLike<number>; // [Cout]
  runningVar: ArrayLike<number>; // [Cout]
}

export interface EdgeConvRefForward {
  y: Float64Array; // [B, Cout, N]
  arg: Int32Array; // [B, Cout, N], the winning slot
  e: Float64Array; // [B, Cout, N, k], the conv output (edge values)
  mean: Float64Array; // [Cout], the statistics used to normalise (batch or running)
  var: Float64Array; // [Cout], biased in training mode
  runningMean: Float64Array; // [Cout], after the update (unchanged in eval mode)
  runningVar: Float64Array;
}

export interface EdgeConvRefGrads {
  dx: Float64Array; // [B, C, N]
  dWeight: Float64Array; // [Cout, 2C]
  dGamma: Float64Array; // [Cout]
  dBeta: Float64Array; // [Cout]
}

const lrelu = (z: number) => (z > 0 ? z : LEAKY_SLOPE * z);

export function edgeConvForwardRef(
  d: EdgeConvDims,
  inp: EdgeConvRefInputs,
  mode: BnMode,
): EdgeConvRefForward {
  const { B, N, k, C, Cout: O } = d;
  const { x, idx, weight: W } = inp;
  const e = new Float64Array(B * O * N * k);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let s = 0; s < k; s++) {
        const j = idx[(b * N + i) * k + s]!;
        for (let o = 0; o < O; o++) {
          let acc = 0;
          for (let c = 0; c < C; c++) {
            const xi = x[(b * C + c) * N + i]!;
            const xj = x[(b * C + c) * N + j]!;
            acc += W[o * 2 * C + c]! * (xj - xi) + W[o * 2 * C + C + c]! * xi;
          }
          e[((b * O + o) * N + i) * k + s] = acc;
        }
      }
    }
  }
  const n = B * N * k;
  const mean = new Float64Array(O);
  const vr = new Float64Array(O);
  const rm = Float64Array.from(inp.runningMean);
  const rv = Float64Array.from(inp.runningVar);
  for (let o = 0; o < O; o++) {
    if (mode === 'eval') {
      mean[o] = rm[o]!;
      vr[o] = rv[o]!;
      continue;
    }
    let sum = 0;
    forChannel(d, o, (m) => (sum += e[m]!));
    const mu = sum / n;
    let sq = 0;
    forChannel(d, o, (m) => (sq += (e[m]! - mu) ** 2));
    mean[o] = mu;
    vr[o] = sq / n;
    const m = d.momentum ?? BN_MOMENTUM;
    rm[o] = (1 - m) * rm[o]! + m * mu;
    rv[o] = (1 - m) * rv[o]! + (m * (sq / n) * n) / (n - 1);
  }
  const y = new Float64Array(B * O * N);
  const arg = new Int32Array(B * O * N);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      const inv = 1 / Math.sqrt(vr[o]! + BN_EPS);
      for (let i = 0; i < N; i++) {
        let best = Number.NEGATIVE_INFINITY;
        let bs = 0;
        for (let s = 0; s < k; s++) {
          const a = lrelu(
            inp.gamma[o]! * (e[((b * O + o) * N + i) * k + s]! - mean[o]!) * inv + inp.beta[o]!,
          );
          if (a > best) {
            best = a;
            bs = s;
          }
        }
        y[(b * O + o) * N + i] = best;
        arg[(b * O + o) * N + i] = bs;
      }
    }
  }
  return { y, arg, e, mean, var: vr, runningMean: rm, runningVar: rv };
}

function forChannel(d: EdgeConvDims, o: number, f: (m: number) => void) {
  const per = d.N * d.k;
  for (let b = 0; b < d.B; b++) {
    const base = (b * d.Cout + o) * per;
    for (let m = 0; m < per; m++) f(base + m);
  }
}

/**
 * Analytic backward of edgeConvForwardRef given dy [B, Cout, N]. The max sends each output's
 * gradient to its winning edge; training-mode BN spreads it over every edge of the channel through
 * the batch mean and variance; the conv then scatters each edge's gradient to x_j and x_i.
 */
export function edgeConvBackwardRef(
  d: EdgeConvDims,
  inp: EdgeConvRefInputs,
  fwd: EdgeConvRefForward,
  dy: ArrayLike<number>,
  mode: BnMode,
): EdgeConvRefGrads {
  const { B, N, k, C, Cout: O } = d;
  const { x, idx, weight: W } = inp;
  const n = B * N * k;
  const de = new Float64Array(B * O * N * k);
  const dGamma = new Float64Array(O);
  const dBeta = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    const g = inp.gamma[o]!;
    const inv = 1 / Math.sqrt(fwd.var[o]! + BN_EPS);
    const xhat = (m: number) => (fwd.e[m]! - fwd.mean[o]!) * inv;
    // dz on the winners (the gradient of the BN output), zero elsewhere.
    const dz = new Map<number, number>();
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < N; i++) {
        const t = (b * O + o) * N + i;
        const m = t * k + fwd.arg[t]!;
        const z = g * xhat(m) + inp.beta[o]!;
        const v = dy[t]! * (z > 0 ? 1 : LEAKY_SLOPE);
        dz.set(m, v);
        dBeta[o] += v;
        dGamma[o] += v * xhat(m);
      }
    }
    // dx̂ = γ·dz; de = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))/σ in training mode, dx̂/σ in eval mode.
    const mdx = (g * dBeta[o]!) / n;
    const mdxx = (g * dGamma[o]!) / n;
    forChannel(d, o, (m) => {
      const dxh = g * (dz.get(m) ?? 0);
      de[m] = mode === 'train' ? (dxh - mdx - xhat(m) * mdxx) * inv : dxh * inv;
    });
  }
  const dx = new Float64Array(B * C * N);
  const dWeight = new Float64Array(O * 2 * C);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let s = 0; s < k; s++) {
        const j = idx[(b * N + i) * k + s]!;
        for (let o = 0; o < O; o++) {
          const g = de[((b * O + o) * N + i) * k + s]!;
          for (let c = 0; c < C; c++) {
            const xi = x[(b * C + c) * N + i]!;
            const xj = x[(b * C + c) * N + j]!;
            const wa = W[o * 2 * C + c]!;
            const wb = W[o * 2 * C + C + c]!;
            dWeight[o * 2 * C + c] += g * (xj - xi);
            dWeight[o * 2 * C + C + c] += g * xi;
            dx[(b * C + c) * N + j] += g * wa;
            dx[(b * C + c) * N + i] += g * (wb - wa);
          }
        }
      }
    }
  }
  return { dx, dWeight, dGamma, dBeta };
}

/** The scalar Σ y ⊙ G whose finite differences check the backward (dy = G). */
export function edgeConvLossRef(
  d: EdgeConvDims,
  inp: EdgeConvRefInputs,
  G: ArrayLike<number>,
  mode: BnMode,
): number {
  const { y } = edgeConvForwardRef(d, inp, mode);
  let acc = 0;
  for (let t = 0; t < y.length; t++) acc += y[t]! * G[t]!;
  return acc;
}
