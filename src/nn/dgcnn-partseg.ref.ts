import { activationBackwardRef, activationRef } from '../kernels/activation.ref';
import type { BatchNormMode } from '../kernels/batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from '../kernels/batchnorm.ref';
import { dropoutStream } from '../kernels/dropout';
import { dropoutScaleRef } from '../kernels/dropout.ref';
import { edgeGatherBackwardRef, edgeGatherRef } from '../kernels/edge_gather.ref';
import { knnRef } from '../kernels/knn.ref';
import { linearBackwardRef, linearForwardRef } from '../kernels/linear.ref';
import { poolBackwardRef, poolForwardRef } from '../kernels/pooling.ref';
import { conv1x1BackwardRef, conv1x1Ref } from './conv1x1.ref';
import { partSegHeadConfig } from './dgcnn-partseg-buffers';
import { type PartSegConfig, type PartSegMode, partSegConcatWidth } from './dgcnn-partseg-config';
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
 * Float64 reference of the part-segmentation model (src/nn/dgcnn-partseg.ts) written the way
 * PyTorch runs DGCNN_partseg: every edge tensor materialised ([B, C, N·k], edge m = i·k + s),
 * BatchNorm over all B·N·k edges, max over k, per-point head. Built from the kernel references.
 */

/** One conv (1×1, no bias) → BN → LeakyReLU stage over [B, ·, L] and what its backward needs. */
interface StageRef {
  name: string; // the conv's reference name, e.g. "conv1" or "transform_net.conv3"
  bn: string; // its BN's name, e.g. "bn1" or "transform_net.conv3.1"
  Cin: number;
  Cout: number;
  L: number;
  x: Arr;
  z: Float64Array;
  mean: Float64Array;
  invstd: Float64Array;
  a: Float64Array;
}

/** Options of a reference forward. */
export interface PartSegRefOptions {
  /** Dropout masks (training only): seed and step (stream 2·step + layer). Omitted: no dropout. */
  dropout?: { seed: number; step: number };
  /** Replace the four kNN graphs (finite differences hold them constant, as the backward does). */
  fixedIdx?: readonly Int32Array[];
  /** 'pretrain': the `dgcnn_seg` encoder, inv_head on g instead of the segmentation head. */
  model?: PartSegMode;
}

export interface PartSegRefForward {
  stages: Map<string, StageRef>;
  /** The four graphs [B, N, k]: transform net, EdgeConv A, B, C. */
  idx: Int32Array[];
  /** Edge tensors [B, 2C, N·k] of the four graphs. */
  edges: Float64Array[];
  /** Max-over-k outputs [B, C, N] and slots: 'transform_net.conv2', 'conv2', 'conv4', 'conv5'. */
  maxK: Map<string, { y: Float64Array; arg: Int32Array; C: number }>;
  /** Max-over-points outputs [B, C] and point indices: 'transform_net.conv3', 'conv6'. */
  maxN: Map<string, { y: Float64Array; arg: Int32Array; C: number }>;
  /** [B, 9] the transform T (row-major 3×3) and the transformed points [B, 3, N]. */
  T: Float64Array;
  xt: Float64Array;
  /** [B, 1280, N] conv8's input. */
  concat: Float64Array;
  /** Dropout scales [B, ·, N] after conv8 and conv9 (all ones without dropout). */
  drop: [Float64Array, Float64Array];
  /** [B, parts, N] */
  logits: Float64Array;
  /** Pretrain mode: the global feature g [B, emb] and inv_head's forward (projections = head.y). */
  global: Float64Array;
  head?: HeadRefForward;
  /** Running statistics after the forward, by tensor name. */
  running: Map<string, Float64Array>;
}

function stageForward(
  p: RefParams,
  mode: BatchNormMode,
  running: Map<string, Float64Array>,
  name: string,
  bn: string,
  B: number,
  Cin: number,
  Cout: number,
  L: number,
  x: Arr,
): StageRef {
  const z = conv1x1Ref(B, Cin, Cout, L, x, getRef(p, `${name}.0.weight`));
  const r = batchNormForwardRef(
    { B, C: Cout, L },
    z,
    getRef(p, `${bn}.weight`),
    getRef(p, `${bn}.bias`),
    getRef(p, `${bn}.running_mean`),
    getRef(p, `${bn}.running_var`),
    mode,
  );
  running.set(`${bn}.running_mean`, r.runningMean);
  running.set(`${bn}.running_var`, r.runningVar);
  return { name, bn, Cin, Cout, L, x, z, mean: r.mean, invstd: r.invstd, a: activationRef(r.y, SLOPE) };
}

/** Gradient of a stage's input from the gradient of its output; parameter gradients into `grads`. */
function stageBackward(
  s: StageRef,
  B: number,
  p: RefParams,
  mode: BatchNormMode,
  da: Arr,
  grads: Map<string, Float64Array>,
): Float64Array {
  const dbn = activationBackwardRef(s.a, da, SLOPE);
  const b = batchNormBackwardRef(
    { B, C: s.Cout, L: s.L },
    s.z,
    dbn,
    getRef(p, `${s.bn}.weight`),
    s.mean,
    s.invstd,
    mode,
  );
  grads.set(`${s.bn}.weight`, b.dgamma);
  grads.set(`${s.bn}.bias`, b.dbeta);
  const c = conv1x1BackwardRef(B, s.Cin, s.Cout, s.L, s.x, getRef(p, `${s.name}.0.weight`), b.dx);
  grads.set(`${s.name}.0.weight`, c.dw);
  return c.dx;
}

/** Max over the last axis of [R, L]: values [R] and the first winning index. */
function maxLast(R: number, L: number, x: Arr) {
  const r = poolForwardRef({ B: 1, C: R, N: L, mode: 'max' }, x);
  return { y: r.out, arg: r.arg };
}

function maxLastBackward(R: number, L: number, arg: Arr, dy: Arr): Float64Array {
  return poolBackwardRef({ B: 1, C: R, N: L, mode: 'max' }, arg, dy);
}

/** x'[b, j, n] = Σ_i T[b, 3i + j]·x[b, i, n] (the reference's bmm(xᵀ, T)ᵀ). */
export function applyTransformRef(B: number, N: number, x: Arr, T: Arr): Float64Array {
  const y = new Float64Array(B * 3 * N);
  for (let b = 0; b < B; b++)
    for (let j = 0; j < 3; j++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let i = 0; i < 3; i++) acc += T[b * 9 + 3 * i + j]! * x[(b * 3 + i) * N + n]!;
        y[(b * 3 + j) * N + n] = acc;
      }
  return y;
}

/** BN1d on [B, C] (L = 1) + LeakyReLU after a bias-free linear, as the transform net's and conv7. */
function linearStageForward(
  p: RefParams,
  mode: BatchNormMode,
  running: Map<string, Float64Array>,
  weight: string,
  bn: string,
  B: number,
  I: number,
  O: number,
  x: Arr,
): StageRef {
  const z = linearForwardRef({ B, inFeatures: I, outFeatures: O, bias: false }, x, getRef(p, weight));
  const r = batchNormForwardRef(
    { B, C: O, L: 1 },
    z,
    getRef(p, `${bn}.weight`),
    getRef(p, `${bn}.bias`),
    getRef(p, `${bn}.running_mean`),
    getRef(p, `${bn}.running_var`),
    mode,
  );
  running.set(`${bn}.running_mean`, r.runningMean);
  running.set(`${bn}.running_var`, r.runningVar);
  return {
    name: weight,
    bn,
    Cin: I,
    Cout: O,
    L: 1,
    x,
    z,
    mean: r.mean,
    invstd: r.invstd,
    a: activationRef(r.y, SLOPE),
  };
}

function linearStageBackward(
  s: StageRef,
  B: number,
  p: RefParams,
  mode: BatchNormMode,
  da: Arr,
  grads: Map<string, Float64Array>,
): Float64Array {
  const dbn = activationBackwardRef(s.a, da, SLOPE);
  const b = batchNormBackwardRef(
    { B, C: s.Cout, L: 1 },
    s.z,
    dbn,
    getRef(p, `${s.bn}.weight`),
    s.mean,
    s.invstd,
    mode,
  );
  grads.set(`${s.bn}.weight`, b.dgamma);
  grads.set(`${s.bn}.bias`, b.dbeta);
  const l = linearBackwardRef(
    { B, inFeatures: s.Cin, outFeatures: s.Cout, bias: false },
    s.x,
    getRef(p, s.name),
    b.dx,
  );
  grads.set(s.name, l.dw);
  return l.dx;
}

/** The EdgeConv blocks: [conv names, BN names] of each per-edge stage, and the name of the maxed conv. */
function edgeBlocks(c: PartSegConfig) {
  const e = c.edge;
  return [
    {
      C: 3,
      stages: [
        ['transform_net.conv1', 'transform_net.bn1', c.tnet[0]],
        ['transform_net.conv2', 'transform_net.bn2', c.tnet[1]],
      ],
    },
    {
      C: 3,
      stages: [
        ['conv1', 'bn1', e],
        ['conv2', 'bn2', e],
      ],
    },
    {
      C: e,
      stages: [
        ['conv3', 'bn3', e],
        ['conv4', 'bn4', e],
      ],
    },
    { C: e, stages: [['conv5', 'bn5', e]] },
  ] as { C: number; stages: [string, string, number][] }[];
}

/**
 * The forward over x [B, 3, N] and the category one-hot [B, categories]. mode 'train' uses batch
 * statistics (and dropout when opts.dropout is given), 'eval' the running ones.
 */
export function partSegForwardRef(
  c: PartSegConfig,
  B: number,
  N: number,
  x: Arr,
  onehot: Arr,
  p: RefParams,
  mode: BatchNormMode,
  opts: PartSegRefOptions = {},
): PartSegRefForward {
  const { k } = c;
  const running = new Map<string, Float64Array>();
  const stages = new Map<string, StageRef>();
  const maxK = new Map<string, { y: Float64Array; arg: Int32Array; C: number }>();
  const maxN = new Map<string, { y: Float64Array; arg: Int32Array; C: number }>();
  const idxs: Int32Array[] = [];
  const edges: Float64Array[] = [];
  const blocks = edgeBlocks(c);
  const NK = N * k;

  /** EdgeConv block g (0…3) on input h [B, C, N]: the max over k of its last stage. */
  const block = (g: number, h: Arr): Float64Array => {
    const { C, stages: st } = blocks[g]!;
    const idx = opts.fixedIdx?.[g] ?? knnRef({ B, N, C, k }, h);
    idxs.push(idx);
    let cur: Arr = edgeGatherRef(B, N, k, C, h, idx);
    edges.push(cur as Float64Array);
    let cin = 2 * C;
    let last = '';
    for (const [name, bn, O] of st) {
      const s = stageForward(p, mode, running, name, bn, B, cin, O, NK, cur);
      stages.set(name, s);
      cur = s.a;
      cin = O;
      last = name;
    }
    const m = maxLast(B * cin * N, k, cur);
    maxK.set(last, { ...m, C: cin });
    return m.y;
  };

  // Transform net.
  const [, t2, t3, t4, t5] = c.tnet;
  const h0 = block(0, x);
  const s3 = stageForward(p, mode, running, 'transform_net.conv3', 'transform_net.conv3.1', B, t2, t3, N, h0);
  stages.set(s3.name, s3);
  const g0 = maxLast(B * t3, N, s3.a);
  maxN.set('transform_net.conv3', { ...g0, C: t3 });
  const l1 = linearStageForward(
    p,
    mode,
    running,
    'transform_net.linear1.weight',
    'transform_net.bn3',
    B,
    t3,
    t4,
    g0.y,
  );
  stages.set(l1.name, l1);
  const l2 = linearStageForward(
    p,
    mode,
    running,
    'transform_net.linear2.weight',
    'transform_net.bn4',
    B,
    t4,
    t5,
    l1.a,
  );
  stages.set(l2.name, l2);
  const T = linearForwardRef(
    { B, inFeatures: t5, outFeatures: 9, bias: true },
    l2.a,
    getRef(p, 'transform_net.transform.weight'),
    getRef(p, 'transform_net.transform.bias'),
  );
  const xt = applyTransformRef(B, N, x, T);

  // EdgeConv A, B, C and conv6.
  const e = c.edge;
  const x1 = block(1, xt);
  const x2 = block(2, x1);
  const x3 = block(3, x2);
  const cat3 = new Float64Array(B * 3 * e * N);
  for (let b = 0; b < B; b++)
    [x1, x2, x3].forEach((xi, q) => {
      cat3.set(xi.subarray(b * e * N, (b + 1) * e * N), (b * 3 + q) * e * N);
    });
  const s6 = stageForward(p, mode, running, 'conv6', 'bn6', B, 3 * e, c.emb, N, cat3);
  stages.set('conv6', s6);
  const g = maxLast(B * c.emb, N, s6.a);
  maxN.set('conv6', { ...g, C: c.emb });

  if (opts.model === 'pretrain') {
    const head = headForwardRef(partSegHeadConfig(c), B, g.y, p, mode);
    running.set('inv_head.1.running_mean', head.runningMean);
    running.set('inv_head.1.running_var', head.runningVar);
    const none = new Float64Array(0);
    return {
      stages,
      idx: idxs,
      edges,
      maxK,
      maxN,
      T,
      xt,
      concat: cat3,
      drop: [none, none],
      logits: none,
      global: g.y,
      head,
      running,
    };
  }
  // Category: conv7 on the one-hot [B, 16, 1] is a bias-free linear, BN1d over B values.
  const s7 = linearStageForward(
    p,
    mode,
    running,
    'conv7.0.weight',
    'bn7',
    B,
    c.categories,
    c.category,
    onehot,
  );
  stages.set('conv7', s7);

  // conv8's input [B, 1280, N]: [g ; category] at every point, then x1, x2, x3.
  const W = partSegConcatWidth(c);
  const concat = new Float64Array(B * W * N);
  for (let b = 0; b < B; b++) {
    for (let ch = 0; ch < c.emb; ch++)
      concat.fill(g.y[b * c.emb + ch]!, (b * W + ch) * N, (b * W + ch + 1) * N);
    for (let ch = 0; ch < c.category; ch++) {
      const row = b * W + c.emb + ch;
      concat.fill(s7.a[b * c.category + ch]!, row * N, (row + 1) * N);
    }
    concat.set(cat3.subarray(b * 3 * e * N, (b + 1) * 3 * e * N), (b * W + c.emb + c.category) * N);
  }
  const [h8, h9, h10] = c.head;
  const dropScale = (layer: number, n: number) =>
    mode === 'train' && opts.dropout
      ? dropoutScaleRef(n, c.dropout, opts.dropout.seed, dropoutStream(opts.dropout.step, layer))
      : new Float64Array(n).fill(1);
  const s8 = stageForward(p, mode, running, 'conv8', 'bn8', B, W, h8, N, concat);
  stages.set('conv8', s8);
  const d1 = dropScale(0, B * h8 * N);
  const s9 = stageForward(
    p,
    mode,
    running,
    'conv9',
    'bn9',
    B,
    h8,
    h9,
    N,
    s8.a.map((v, i) => v * d1[i]!),
  );
  stages.set('conv9', s9);
  const d2 = dropScale(1, B * h9 * N);
  const s10 = stageForward(
    p,
    mode,
    running,
    'conv10',
    'bn10',
    B,
    h9,
    h10,
    N,
    s9.a.map((v, i) => v * d2[i]!),
  );
  stages.set('conv10', s10);
  const logits = conv1x1Ref(B, h10, c.parts, N, s10.a, getRef(p, 'conv11.weight'));
  return {
    stages,
    idx: idxs,
    edges,
    maxK,
    maxN,
    T,
    xt,
    concat,
    drop: [d1, d2],
    logits,
    global: g.y,
    running,
  };
}

/**
 * Analytic backward from dLogits [B, parts, N] (pretrain mode: from dProjections [B, proj]) with
 * the kNN graphs held constant: every trainable
 * tensor's gradient by reference name, and dInput [B, 3, N].
 */
export function partSegBackwardRef(
  c: PartSegConfig,
  B: number,
  N: number,
  x: Arr,
  p: RefParams,
  f: PartSegRefForward,
  dLogits: Arr,
  mode: BatchNormMode,
): { grads: Map<string, Float64Array>; dInput: Float64Array } {
  const { k } = c;
  const grads = new Map<string, Float64Array>();
  const st = (n: string) => f.stages.get(n)!;
  const e = c.edge;
  const W = partSegConcatWidth(c);
  const h10 = c.head[2];

  const dg = new Float64Array(B * c.emb);
  const dcat3 = new Float64Array(B * 3 * e * N);
  if (f.head) {
    // Pretrain mode: dLogits is the gradient of the projections [B, proj].
    const hb = headBackwardRef(partSegHeadConfig(c), B, f.global, p, f.head, dLogits, mode);
    for (const [name, v] of hb.grads) grads.set(name, v);
    dg.set(hb.dx);
  } else {
    const c11 = conv1x1BackwardRef(B, h10, c.parts, N, st('conv10').a, getRef(p, 'conv11.weight'), dLogits);
    grads.set('conv11.weight', c11.dw);
    let d = stageBackward(st('conv10'), B, p, mode, c11.dx, grads);
    d = d.map((v, i) => v * f.drop[1][i]!);
    d = stageBackward(st('conv9'), B, p, mode, d, grads);
    d = d.map((v, i) => v * f.drop[0][i]!);
    const dConcat = stageBackward(st('conv8'), B, p, mode, d, grads);

    // Split conv8's input gradient: sums over points for the repeated parts, slices for x1..x3.
    const dcat = new Float64Array(B * c.category);
    for (let b = 0; b < B; b++) {
      for (let ch = 0; ch < c.emb + c.category; ch++) {
        let acc = 0;
        for (let n = 0; n < N; n++) acc += dConcat[(b * W + ch) * N + n]!;
        if (ch < c.emb) dg[b * c.emb + ch] = acc;
        else dcat[b * c.category + ch - c.emb] = acc;
      }
      dcat3.set(dConcat.subarray((b * W + c.emb + c.category) * N, (b + 1) * W * N), b * 3 * e * N);
    }
    linearStageBackward(st('conv7'), B, p, mode, dcat, grads); // the one-hot needs no gradient
  }
  const m6 = f.maxN.get('conv6')!;
  const da6 = maxLastBackward(B * c.emb, N, m6.arg, dg);
  const d6 = stageBackward(st('conv6'), B, p, mode, da6, grads);
  for (let i = 0; i < d6.length; i++) dcat3[i]! += d6[i]!;
  const slice = (q: number) => {
    const out = new Float64Array(B * e * N);
    for (let b = 0; b < B; b++)
      out.set(dcat3.subarray((b * 3 + q) * e * N, (b * 3 + q + 1) * e * N), b * e * N);
    return out;
  };
  const dx = [slice(0), slice(1), slice(2)];

  const blocks = edgeBlocks(c);
  /** Backward of block g from the gradient of its max output [B, O, N]; returns its input gradient. */
  const blockBack = (g: number, dy: Arr): Float64Array => {
    const { C, stages: sts } = blocks[g]!;
    const last = sts[sts.length - 1]![0];
    const m = f.maxK.get(last)!;
    let da: Float64Array = maxLastBackward(B * m.C * N, k, m.arg, dy);
    for (let q = sts.length - 1; q >= 0; q--) da = stageBackward(st(sts[q]![0]), B, p, mode, da, grads);
    return edgeGatherBackwardRef(B, N, k, C, f.idx[g]!, da);
  };
  // x3 = block C (x2); x2 = block B (x1); x1 = block A (xt).
  const dX2 = blockBack(3, dx[2]!);
  for (let i = 0; i < dX2.length; i++) dx[1]![i]! += dX2[i]!;
  const dX1 = blockBack(2, dx[1]!);
  for (let i = 0; i < dX1.length; i++) dx[0]![i]! += dX1[i]!;
  const dXt = blockBack(1, dx[0]!);

  // x' = Tᵀ·x: dT[b, 3i + j] = Σ_n x[i, n]·dx'[j, n]; dx[i, n] = Σ_j T[3i + j]·dx'[j, n].
  const dT = new Float64Array(B * 9);
  const dInput = new Float64Array(B * 3 * N);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const t = f.T[b * 9 + 3 * i + j]!;
        let acc = 0;
        for (let n = 0; n < N; n++) {
          const g = dXt[(b * 3 + j) * N + n]!;
          acc += x[(b * 3 + i) * N + n]! * g;
          dInput[(b * 3 + i) * N + n]! += t * g;
        }
        dT[b * 9 + 3 * i + j] = acc;
      }
  const [, , t3, , t5] = c.tnet;
  const lt = linearBackwardRef(
    { B, inFeatures: t5, outFeatures: 9, bias: true },
    st('transform_net.linear2.weight').a,
    getRef(p, 'transform_net.transform.weight'),
    dT,
  );
  grads.set('transform_net.transform.weight', lt.dw);
  grads.set('transform_net.transform.bias', lt.db);
  const dl1 = linearStageBackward(st('transform_net.linear2.weight'), B, p, mode, lt.dx, grads);
  const dg0 = linearStageBackward(st('transform_net.linear1.weight'), B, p, mode, dl1, grads);
  const m3 = f.maxN.get('transform_net.conv3')!;
  const da3 = maxLastBackward(B * t3, N, m3.arg, dg0);
  const dh0 = stageBackward(st('transform_net.conv3'), B, p, mode, da3, grads);
  const dX0 = blockBack(0, dh0);
  for (let i = 0; i < dInput.length; i++) dInput[i]! += dX0[i]!;
  return { grads, dInput };
}

/** The one-hot [B, categories] of integer labels. */
export function oneHotRef(labels: ArrayLike<number>, categories: number): Float32Array {
  const out = new Float32Array(labels.length * categories);
  for (let b = 0; b < labels.length; b++) out[b * categories + labels[b]!] = 1;
  return out;
}
