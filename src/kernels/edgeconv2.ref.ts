/**
 * Reference for shaders/edgeconv2.wgsl: DGCNN_partseg's two-conv EdgeConv as PyTorch computes it
 * (conv 1×1 on [x_j − x_i ; x_i] → BatchNorm2d → LeakyReLU(0.2) → conv 1×1 → BatchNorm2d →
 * LeakyReLU → max over k), every per-edge tensor written out, float64 throughout, dense inputs.
 */

import { BN_EPS, BN_MOMENTUM, type BnMode, LEAKY_SLOPE } from './edgeconv-dims';

export interface EdgeConv2Dims {
  B: number;
  N: number;
  k: number;
  C: number;
  Cmid: number;
  Cout: number;
  /** BatchNorm's running-statistics momentum of both BNs (BN_MOMENTUM when left out). */
  momentum?: number;
}

export interface EdgeConv2RefInputs {
  x: ArrayLike<number>; // [B, C, N]
  idx: ArrayLike<number>; // [B, N, k], values in [0, N)
  weight1: ArrayLike<number>; // [Cmid, 2C]: channels 0..C−1 multiply x_j − x_i, C..2C−1 multiply x_i
  gamma1: ArrayLike<number>; // [Cmid]
  beta1: ArrayLike<number>;
  runningMean1: ArrayLike<number>;
  runningVar1: ArrayLike<number>;
  weight2: ArrayLike<number>; // [Cout, Cmid]
  gamma2: ArrayLike<number>; // [Cout]
  beta2: ArrayLike<number>;
  runningMean2: ArrayLike<number>;
  runningVar2: ArrayLike<number>;
}

/** One BatchNorm over the edges: the statistics it normalised with, and the running ones after. */
export interface EdgeBnRef {
  mean: Float64Array; // [ch] batch mean (train) or running mean (eval)
  var: Float64Array; // [ch] biased batch variance (train) or running variance (eval)
  runningMean: Float64Array; // [ch] after the update (unchanged in eval mode)
  runningVar: Float64Array;
}

export interface EdgeConv2RefForward {
  y: Float64Array; // [B, Cout, N]
  arg: Int32Array; // [B, Cout, N], the winning slot
  h1: Float64Array; // [B, Cmid, N, k] first conv's output
  a1: Float64Array; // [B, Cmid, N, k] after BN1 and LeakyReLU
  h2: Float64Array; // [B, Cout, N, k] second conv's output
  bn1: EdgeBnRef;
  bn2: EdgeBnRef;
}

export interface EdgeConv2RefGrads {
  dx: Float64Array; // [B, C, N]
  dWeight1: Float64Array; // [Cmid, 2C]
  dGamma1: Float64Array;
  dBeta1: Float64Array;
  dWeight2: Float64Array; // [Cout, Cmid]
  dGamma2: Float64Array;
  dBeta2: Float64Array;
}

const lrelu = (z: number) => (z > 0 ? z : LEAKY_SLOPE * z);
/** PyTorch's LeakyReLU derivative at exactly 0 is the slope. */
const lreluGrad = (z: number) => (z > 0 ? 1 : LEAKY_SLOPE);

/** BatchNorm2d's statistics of v [B, ch, L] over B·L per channel (two-pass), and the running update. */
function edgeBn(
  v: Float64Array,
  B: number,
  ch: number,
  L: number,
  runningMean: ArrayLike<number>,
  runningVar: ArrayLike<number>,
  mode: BnMode,
  momentum: number,
): EdgeBnRef {
  const n = B * L;
  const mean = new Float64Array(ch);
  const vr = new Float64Array(ch);
  const rm = Float64Array.from(runningMean);
  const rv = Float64Array.from(runningVar);
  for (let c = 0; c < ch; c++) {
    if (mode === 'eval') {
      mean[c] = rm[c]!;
      vr[c] = rv[c]!;
      continue;
    }
    let sum = 0;
    for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) sum += v[(b * ch + c) * L + t]!;
    const mu = sum / n;
    let sq = 0;
    for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) sq += (v[(b * ch + c) * L + t]! - mu) ** 2;
    mean[c] = mu;
    vr[c] = sq / n;
    rm[c] = (1 - momentum) * rm[c]! + momentum * mu;
    rv[c] = (1 - momentum) * rv[c]! + (momentum * sq) / (n - 1);
  }
  return { mean, var: vr, runningMean: rm, runningVar: rv };
}

const invStd = (bn: EdgeBnRef, c: number) => 1 / Math.sqrt(bn.var[c]! + BN_EPS);

/** BN's output z = γ·x̂ + β of every element of v [B, ch, L]. */
function bnApply(
  v: Float64Array,
  B: number,
  ch: number,
  L: number,
  bn: EdgeBnRef,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
) {
  const z = new Float64Array(v.length);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < ch; c++) {
      const inv = invStd(bn, c);
      for (let t = 0; t < L; t++) {
        const at = (b * ch + c) * L + t;
        z[at] = gamma[c]! * (v[at]! - bn.mean[c]!) * inv + beta[c]!;
      }
    }
  }
  return z;
}

export function edgeConv2ForwardRef(
  d: EdgeConv2Dims,
  inp: EdgeConv2RefInputs,
  mode: BnMode,
): EdgeConv2RefForward {
  const { B, N, k, C, Cmid: M, Cout: O } = d;
  const { x, idx, weight1: W1, weight2: W2 } = inp;
  const L = N * k;
  const h1 = new Float64Array(B * M * L);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let s = 0; s < k; s++) {
        const j = idx[(b * N + i) * k + s]!;
        for (let m = 0; m < M; m++) {
          let acc = 0;
          for (let c = 0; c < C; c++) {
            const xi = x[(b * C + c) * N + i]!;
            const xj = x[(b * C + c) * N + j]!;
            acc += W1[m * 2 * C + c]! * (xj - xi) + W1[m * 2 * C + C + c]! * xi;
          }
          h1[((b * M + m) * N + i) * k + s] = acc;
        }
      }
    }
  }
  const bn1 = edgeBn(h1, B, M, L, inp.runningMean1, inp.runningVar1, mode, d.momentum ?? BN_MOMENTUM);
  const a1 = bnApply(h1, B, M, L, bn1, inp.gamma1, inp.beta1).map(lrelu);
  const h2 = new Float64Array(B * O * L);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      for (let m = 0; m < M; m++) {
        const w = W2[o * M + m]!;
        for (let t = 0; t < L; t++) h2[(b * O + o) * L + t] += w * a1[(b * M + m) * L + t]!;
      }
    }
  }
  const bn2 = edgeBn(h2, B, O, L, inp.runningMean2, inp.runningVar2, mode, d.momentum ?? BN_MOMENTUM);
  const a2 = bnApply(h2, B, O, L, bn2, inp.gamma2, inp.beta2).map(lrelu);
  const y = new Float64Array(B * O * N);
  const arg = new Int32Array(B * O * N);
  for (let t = 0; t < B * O * N; t++) {
    let best = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < k; s++) {
      if (a2[t * k + s]! > best) {
        best = a2[t * k + s]!;
        arg[t] = s;
      }
    }
    y[t] = best;
  }
  return { y, arg, h1, a1, h2, bn1, bn2 };
}

/**
 * BatchNorm's backward over v [B, ch, L] given dz (the gradient of its output): returns dv and
 * writes dγ, dβ. Training mode: dv = (γ/σ)·(dz − mean(dz) − x̂·mean(dz·x̂)); eval: (γ/σ)·dz.
 */
function edgeBnBackward(
  v: Float64Array,
  dz: Float64Array,
  B: number,
  ch: number,
  L: number,
  bn: EdgeBnRef,
  gamma: ArrayLike<number>,
  mode: BnMode,
  dGamma: Float64Array,
  dBeta: Float64Array,
): Float64Array {
  const n = B * L;
  const dv = new Float64Array(v.length);
  for (let c = 0; c < ch; c++) {
    const inv = invStd(bn, c);
    const xhat = (at: number) => (v[at]! - bn.mean[c]!) * inv;
    let db = 0;
    let dg = 0;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const at = (b * ch + c) * L + t;
        db += dz[at]!;
        dg += dz[at]! * xhat(at);
      }
    }
    dBeta[c] = db;
    dGamma[c] = dg;
    const a = gamma[c]! * inv;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const at = (b * ch + c) * L + t;
        dv[at] = mode === 'train' ? a * (dz[at]! - db / n - (xhat(at) * dg) / n) : a * dz[at]!;
      }
    }
  }
  return dv;
}

/** Analytic backward of edgeConv2ForwardRef given dy [B, Cout, N] (the max sends it to the winner). */
export function edgeConv2BackwardRef(
  d: EdgeConv2Dims,
  inp: EdgeConv2RefInputs,
  fwd: EdgeConv2RefForward,
  dy: ArrayLike<number>,
  mode: BnMode,
): EdgeConv2RefGrads {
  const { B, N, k, C, Cmid: M, Cout: O } = d;
  const { x, idx, weight1: W1, weight2: W2 } = inp;
  const L = N * k;
  // Through the max and LeakyReLU 2: only winners.
  const z2 = bnApply(fwd.h2, B, O, L, fwd.bn2, inp.gamma2, inp.beta2);
  const dz2 = new Float64Array(B * O * L);
  for (let t = 0; t < B * O * N; t++) {
    const at = t * k + fwd.arg[t]!;
    dz2[at] = dy[t]! * lreluGrad(z2[at]!);
  }
  const dGamma2 = new Float64Array(O);
  const dBeta2 = new Float64Array(O);
  const dh2 = edgeBnBackward(fwd.h2, dz2, B, O, L, fwd.bn2, inp.gamma2, mode, dGamma2, dBeta2);
  // Conv 2: dW2 = Σ dh2·a1ᵀ, da1 = W2ᵀ·dh2.
  const dWeight2 = new Float64Array(O * M);
  const da1 = new Float64Array(B * M * L);
  for (let b = 0; b < B; b++) {
    for (let o = 0; o < O; o++) {
      for (let m = 0; m < M; m++) {
        const w = W2[o * M + m]!;
        let acc = 0;
        for (let t = 0; t < L; t++) {
          const g = dh2[(b * O + o) * L + t]!;
          acc += g * fwd.a1[(b * M + m) * L + t]!;
          da1[(b * M + m) * L + t] += w * g;
        }
        dWeight2[o * M + m] += acc;
      }
    }
  }
  const z1 = bnApply(fwd.h1, B, M, L, fwd.bn1, inp.gamma1, inp.beta1);
  const dz1 = da1.map((g, at) => g * lreluGrad(z1[at]!));
  const dGamma1 = new Float64Array(M);
  const dBeta1 = new Float64Array(M);
  const dh1 = edgeBnBackward(fwd.h1, dz1, B, M, L, fwd.bn1, inp.gamma1, mode, dGamma1, dBeta1);
  // Conv 1 scatters each edge's gradient to x_j and x_i.
  const dx = new Float64Array(B * C * N);
  const dWeight1 = new Float64Array(M * 2 * C);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let s = 0; s < k; s++) {
        const j = idx[(b * N + i) * k + s]!;
        for (let m = 0; m < M; m++) {
          const g = dh1[((b * M + m) * N + i) * k + s]!;
          for (let c = 0; c < C; c++) {
            const xi = x[(b * C + c) * N + i]!;
            const xj = x[(b * C + c) * N + j]!;
            const wa = W1[m * 2 * C + c]!;
            const wb = W1[m * 2 * C + C + c]!;
            dWeight1[m * 2 * C + c] += g * (xj - xi);
            dWeight1[m * 2 * C + C + c] += g * xi;
            dx[(b * C + c) * N + j] += g * wa;
            dx[(b * C + c) * N + i] += g * (wb - wa);
          }
        }
      }
    }
  }
  return { dx, dWeight1, dGamma1, dBeta1, dWeight2, dGamma2, dBeta2 };
}
