import { activationBackwardRef, activationRef } from '../kernels/activation.ref';
import type { BatchNormMode } from '../kernels/batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from '../kernels/batchnorm.ref';
import { knnRef } from '../kernels/knn.ref';
import { poolBackwardRef, poolForwardRef } from '../kernels/pooling.ref';
import { conv1x1BackwardRef, conv1x1Ref } from './conv1x1.ref';
import { type DgcnnConfig, concatWidth, edgeInputWidth } from './dgcnn-config';
import { dgcnnHeadConfig } from './dgcnn-head';
import {
  getRef,
  type HeadRefForward,
  headBackwardRef,
  headForwardRef,
  type RefParams,
} from './projection-head.ref';

type Arr = ArrayLike<number>;
const SLOPE = 0.2;

/**
 * Float64 reference of the whole DGCNN encoder (src/nn/dgcnn.ts) in the naive formulation the
 * PyTorch reference uses: each EdgeConv writes out its edge tensor e [B, Cout, N, k] =
 * W·[x_j − x_i ; x_i], BatchNorm2d over the B·N·k edges, LeakyReLU(0.2), max over k. Built from
 * the kernel references (kNN, BatchNorm, activation, pooling, linear) so the fused GPU path is
 * checked against an independent formulation.
 */
export interface EdgeLayerRef {
  /** [B, N, k] neighbour indices (nearest first, self included). */
  idx: Int32Array;
  /** [B, Cout, N·k] edge values before BN. */
  e: Float64Array;
  /** [B, Cout, N·k] after BN and LeakyReLU. */
  act: Float64Array;
  mean: Float64Array;
  invstd: Float64Array;
  /** [B, Cout, N] max over k and the winning slot 0..k−1 (first maximum). */
  y: Float64Array;
  arg: Int32Array;
}

export interface DgcnnRefForward {
  layers: EdgeLayerRef[];
  /** [B, 512, N] the four EdgeConv outputs in channel order. */
  concat: Float64Array;
  /** [B, emb, N] conv5 output, and the BN5 + LeakyReLU output. */
  z5: Float64Array;
  a5: Float64Array;
  mean5: Float64Array;
  invstd5: Float64Array;
  /** [B, 2·emb] [max ; mean] and the arg-max point per channel [B, emb]. */
  features: Float64Array;
  poolArg: Int32Array;
  head: HeadRefForward;
  projections: Float64Array;
  /** Running statistics after the forward, by tensor name. */
  running: Map<string, Float64Array>;
}

/** Edge values e[b, o, i·k + s] = Σ_c Wa[o,c]·(x_j − x_i) + Wb[o,c]·x_i with j = idx[b, i, s]. */
function edgeValues(B: number, N: number, k: number, C: number, O: number, x: Arr, idx: Arr, W: Arr) {
  const e = new Float64Array(B * O * N * k);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < N; i++)
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
  return e;
}

/**
 * The forward over x [B, 3, N]. `fixedIdx` replaces the kNN of each layer (finite differences
 * hold the graph constant, as the backward does).
 */
export function dgcnnForwardRef(
  c: DgcnnConfig,
  B: number,
  N: number,
  x: Arr,
  p: RefParams,
  mode: BatchNormMode,
  fixedIdx?: readonly Int32Array[],
): DgcnnRefForward {
  const { k } = c;
  const Ctot = concatWidth(c);
  const concat = new Float64Array(B * Ctot * N);
  const layers: EdgeLayerRef[] = [];
  const running = new Map<string, Float64Array>();
  let h: Arr = x;
  let c0 = 0;
  for (let l = 1; l <= 4; l++) {
    const C = edgeInputWidth(c, l);
    const O = c.edgeWidths[l - 1]!;
    const idx = fixedIdx?.[l - 1] ?? knnRef({ B, N, C, k }, h);
    const e = edgeValues(B, N, k, C, O, h, idx, getRef(p, `conv${l}.0.weight`));
    const bn = batchNormForwardRef(
      { B, C: O, L: N * k },
      e,
      getRef(p, `bn${l}.weight`),
      getRef(p, `bn${l}.bias`),
      getRef(p, `bn${l}.running_mean`),
      getRef(p, `bn${l}.running_var`),
      mode,
    );
    running.set(`bn${l}.running_mean`, bn.runningMean);
    running.set(`bn${l}.running_var`, bn.runningVar);
    const act = activationRef(bn.y, SLOPE);
    const y = new Float64Array(B * O * N);
    const arg = new Int32Array(B * O * N);
    for (let t = 0; t < B * O * N; t++) {
      let best = act[t * k]!;
      let bi = 0;
      for (let s = 1; s < k; s++) {
        if (act[t * k + s]! > best) {
          best = act[t * k + s]!;
          bi = s;
        }
      }
      y[t] = best;
      arg[t] = bi;
    }
    for (let b = 0; b < B; b++) concat.set(y.subarray(b * O * N, (b + 1) * O * N), (b * Ctot + c0) * N);
    layers.push({ idx, e, act, mean: bn.mean, invstd: bn.invstd, y, arg });
    h = y;
    c0 += O;
  }
  const z5 = conv1x1Ref(B, Ctot, c.emb, N, concat, getRef(p, 'conv5.0.weight'));
  const bn5 = batchNormForwardRef(
    { B, C: c.emb, L: N },
    z5,
    getRef(p, 'bn5.weight'),
    getRef(p, 'bn5.bias'),
    getRef(p, 'bn5.running_mean'),
    getRef(p, 'bn5.running_var'),
    mode,
  );
  running.set('bn5.running_mean', bn5.runningMean);
  running.set('bn5.running_var', bn5.runningVar);
  const a5 = activationRef(bn5.y, SLOPE);
  const pool = poolForwardRef({ B, C: c.emb, N, mode: 'maxmean' }, a5);
  const head = headForwardRef(dgcnnHeadConfig(c), B, pool.out, p, mode);
  running.set('inv_head.1.running_mean', head.runningMean);
  running.set('inv_head.1.running_var', head.runningVar);
  return {
    layers,
    concat,
    z5,
    a5,
    mean5: bn5.mean,
    invstd5: bn5.invstd,
    features: pool.out,
    poolArg: pool.arg,
    head,
    projections: head.y,
    running,
  };
}

/**
 * Analytic backward from dProjections (plus dFeatures when given), the kNN graphs held
 * constant: every trainable tensor's gradient by name, dFeatures (total), dInput [B, 3, N].
 */
export function dgcnnBackwardRef(
  c: DgcnnConfig,
  B: number,
  N: number,
  x: Arr,
  p: RefParams,
  f: DgcnnRefForward,
  dProjections: Arr,
  mode: BatchNormMode,
  dFeaturesIn?: Arr,
): { grads: Map<string, Float64Array>; dFeatures: Float64Array; dInput: Float64Array } {
  const { k } = c;
  const Ctot = concatWidth(c);
  const hb = headBackwardRef(dgcnnHeadConfig(c), B, f.features, p, f.head, dProjections, mode);
  const grads = hb.grads;
  const dFeatures = hb.dx;
  if (dFeaturesIn) for (let i = 0; i < dFeatures.length; i++) dFeatures[i]! += dFeaturesIn[i]!;
  const da5 = poolBackwardRef({ B, C: c.emb, N, mode: 'maxmean' }, f.poolArg, dFeatures);
  const dbn5 = activationBackwardRef(f.a5, da5, SLOPE);
  const b5 = batchNormBackwardRef(
    { B, C: c.emb, L: N },
    f.z5,
    dbn5,
    getRef(p, 'bn5.weight'),
    f.mean5,
    f.invstd5,
    mode,
  );
  grads.set('bn5.weight', b5.dgamma);
  grads.set('bn5.bias', b5.dbeta);
  const cb5 = conv1x1BackwardRef(B, Ctot, c.emb, N, f.concat, getRef(p, 'conv5.0.weight'), b5.dx);
  grads.set('conv5.0.weight', cb5.dw);
  const dConcat = cb5.dx;
  const offsets = [0, 1, 2, 3].map((i) => c.edgeWidths.slice(0, i).reduce((a, b) => a + b, 0));
  let dInput = new Float64Array(B * 3 * N);
  for (let l = 4; l >= 1; l--) {
    const L = f.layers[l - 1]!;
    const C = edgeInputWidth(c, l);
    const O = c.edgeWidths[l - 1]!;
    const c0 = offsets[l - 1]!;
    // The max sends the gradient of y to its winning slot.
    const dact = new Float64Array(B * O * N * k);
    for (let b = 0; b < B; b++)
      for (let o = 0; o < O; o++)
        for (let i = 0; i < N; i++) {
          const t = (b * O + o) * N + i;
          dact[t * k + L.arg[t]!] = dConcat[(b * Ctot + c0 + o) * N + i]!;
        }
    const dbn = activationBackwardRef(L.act, dact, SLOPE);
    const bb = batchNormBackwardRef(
      { B, C: O, L: N * k },
      L.e,
      dbn,
      getRef(p, `bn${l}.weight`),
      L.mean,
      L.invstd,
      mode,
    );
    grads.set(`bn${l}.weight`, bb.dgamma);
    grads.set(`bn${l}.bias`, bb.dbeta);
    // Edge values are linear in the layer input: scatter each edge's gradient to x_j and x_i.
    const xin: Arr = l === 1 ? x : f.layers[l - 2]!.y;
    const W = getRef(p, `conv${l}.0.weight`);
    const dW = new Float64Array(O * 2 * C);
    const dx = new Float64Array(B * C * N);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < N; i++)
        for (let s = 0; s < k; s++) {
          const j = L.idx[(b * N + i) * k + s]!;
          for (let o = 0; o < O; o++) {
            const g = bb.dx[((b * O + o) * N + i) * k + s]!;
            for (let ch = 0; ch < C; ch++) {
              const xi = xin[(b * C + ch) * N + i]!;
              const xj = xin[(b * C + ch) * N + j]!;
              const wa = W[o * 2 * C + ch]!;
              const wb = W[o * 2 * C + C + ch]!;
              dW[o * 2 * C + ch]! += g * (xj - xi);
              dW[o * 2 * C + C + ch]! += g * xi;
              dx[(b * C + ch) * N + j]! += g * wa;
              dx[(b * C + ch) * N + i]! += g * (wb - wa);
            }
          }
        }
    grads.set(`conv${l}.0.weight`, dW);
    if (l === 1) dInput = dx;
    else {
      // The input of layer l is the output of layer l − 1, which also feeds conv5.
      const cp = offsets[l - 2]!;
      for (let b = 0; b < B; b++)
        for (let ch = 0; ch < C; ch++)
          for (let i = 0; i < N; i++) dConcat[(b * Ctot + cp + ch) * N + i]! += dx[(b * C + ch) * N + i]!;
    }
  }
  return { grads, dFeatures, dInput };
}
