import { activationBackwardRef, activationRef } from '../kernels/activation.ref';
import type { BatchNormMode } from '../kernels/batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from '../kernels/batchnorm.ref';
import { poolBackwardRef, poolForwardRef } from '../kernels/pooling.ref';
import { conv1x1BackwardRef, conv1x1Ref } from './conv1x1.ref';
import { type PointNetConfig, pointnetHeadConfig, pointnetInputWidth, pointnetWidth } from './pointnet';
import {
  type HeadRefForward,
  headBackwardRef,
  headForwardRef,
  getRef,
  type RefParams,
} from './projection-head.ref';

type Arr = ArrayLike<number>;

export interface PointNetRefForward {
  /** Per layer l = 1..5 (index l − 1): conv output z, post-ReLU a, BN mean and invstd. */
  z: Float64Array[];
  a: Float64Array[];
  mean: Float64Array[];
  invstd: Float64Array[];
  /** [B, emb] max-pooled feature and its arg-max point per channel. */
  features: Float64Array;
  poolArg: Int32Array;
  head: HeadRefForward;
  projections: Float64Array;
  /** Running statistics after the forward, by tensor name. */
  running: Map<string, Float64Array>;
}

/** Float64 reference of the PointNet encoder forward; x [B, 3, N]. */
export function pointnetForwardRef(
  c: PointNetConfig,
  B: number,
  N: number,
  x: Arr,
  p: RefParams,
  mode: BatchNormMode,
): PointNetRefForward {
  const f: PointNetRefForward = {
    z: [],
    a: [],
    mean: [],
    invstd: [],
    features: new Float64Array(0),
    poolArg: new Int32Array(0),
    head: undefined as unknown as HeadRefForward,
    projections: new Float64Array(0),
    running: new Map(),
  };
  let h: Arr = x;
  for (let l = 1; l <= 5; l++) {
    const C = pointnetWidth(c, l);
    const z = conv1x1Ref(B, pointnetInputWidth(c, l), C, N, h, getRef(p, `conv${l}.weight`));
    const bn = batchNormForwardRef(
      { B, C, L: N },
      z,
      getRef(p, `bn${l}.weight`),
      getRef(p, `bn${l}.bias`),
      getRef(p, `bn${l}.running_mean`),
      getRef(p, `bn${l}.running_var`),
      mode,
    );
    const a = activationRef(bn.y, 0);
    f.z.push(z);
    f.a.push(a);
    f.mean.push(bn.mean);
    f.invstd.push(bn.invstd);
    f.running.set(`bn${l}.running_mean`, bn.runningMean);
    f.running.set(`bn${l}.running_var`, bn.runningVar);
    h = a;
  }
  const pool = poolForwardRef({ B, C: c.emb, N, mode: 'max' }, h);
  f.features = pool.out;
  f.poolArg = pool.arg;
  f.head = headForwardRef(pointnetHeadConfig(c), B, f.features, p, mode);
  f.projections = f.head.y;
  f.running.set('inv_head.1.running_mean', f.head.runningMean);
  f.running.set('inv_head.1.running_var', f.head.runningVar);
  return f;
}

/**
 * Analytic backward from dProjections (plus dFeatures when given): the gradient of every
 * trainable tensor by name, dFeatures (total) and dInput [B, 3, N].
 */
export function pointnetBackwardRef(
  c: PointNetConfig,
  B: number,
  N: number,
  x: Arr,
  p: RefParams,
  f: PointNetRefForward,
  dProjections: Arr,
  mode: BatchNormMode,
  dFeaturesIn?: Arr,
): { grads: Map<string, Float64Array>; dFeatures: Float64Array; dInput: Float64Array } {
  const hb = headBackwardRef(pointnetHeadConfig(c), B, f.features, p, f.head, dProjections, mode);
  const grads = hb.grads;
  const dFeatures = hb.dx;
  if (dFeaturesIn) for (let i = 0; i < dFeatures.length; i++) dFeatures[i]! += dFeaturesIn[i]!;
  let d = poolBackwardRef({ B, C: c.emb, N, mode: 'max' }, f.poolArg, dFeatures);
  for (let l = 5; l >= 1; l--) {
    const C = pointnetWidth(c, l);
    const Cin = pointnetInputWidth(c, l);
    const dbn = activationBackwardRef(f.a[l - 1]!, d, 0);
    const b = batchNormBackwardRef(
      { B, C, L: N },
      f.z[l - 1]!,
      dbn,
      getRef(p, `bn${l}.weight`),
      f.mean[l - 1]!,
      f.invstd[l - 1]!,
      mode,
    );
    grads.set(`bn${l}.weight`, b.dgamma);
    grads.set(`bn${l}.bias`, b.dbeta);
    const xin = l === 1 ? x : f.a[l - 2]!;
    const cb = conv1x1BackwardRef(B, Cin, C, N, xin, getRef(p, `conv${l}.weight`), b.dx);
    grads.set(`conv${l}.weight`, cb.dw);
    d = cb.dx;
  }
  return { grads, dFeatures, dInput: d };
}
