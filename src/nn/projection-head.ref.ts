import { activationBackwardRef, activationRef } from '../kernels/activation.ref';
import type { BatchNormMode } from '../kernels/batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from '../kernels/batchnorm.ref';
import { linearBackwardRef, linearForwardRef } from '../kernels/linear.ref';
import type { ProjectionHeadConfig } from './projection-head';

type Arr = ArrayLike<number>;
/** Model tensors by reference name (float64 or float32 values). */
export type RefParams = Map<string, Arr>;

export function getRef(p: RefParams, name: string): Arr {
  const v = p.get(name);
  if (!v) throw new Error(`reference: no tensor "${name}"`);
  return v;
}

export interface HeadRefForward {
  /** [B, hidden] Linear 0 output, BN output, ReLU output; [B, out] projections. */
  h: Float64Array;
  a: Float64Array;
  y: Float64Array;
  mean: Float64Array;
  invstd: Float64Array;
  runningMean: Float64Array;
  runningVar: Float64Array;
}

/** Float64 reference of src/nn/projection-head.ts (composition of the kernel references). */
export function headForwardRef(
  c: ProjectionHeadConfig,
  B: number,
  x: Arr,
  p: RefParams,
  mode: BatchNormMode,
  prefix = 'inv_head',
): HeadRefForward {
  const g = (n: string) => getRef(p, `${prefix}.${n}`);
  const s0 = { B, inFeatures: c.inFeatures, outFeatures: c.hidden, bias: c.bias };
  const h = linearForwardRef(s0, x, g('0.weight'), c.bias ? g('0.bias') : undefined);
  const bn = batchNormForwardRef(
    { B, C: c.hidden, L: 1 },
    h,
    g('1.weight'),
    g('1.bias'),
    g('1.running_mean'),
    g('1.running_var'),
    mode,
  );
  const a = activationRef(bn.y, 0);
  const s3 = { B, inFeatures: c.hidden, outFeatures: c.out, bias: c.bias };
  const y = linearForwardRef(s3, a, g('3.weight'), c.bias ? g('3.bias') : undefined);
  return {
    h,
    a,
    y,
    mean: bn.mean,
    invstd: bn.invstd,
    runningMean: bn.runningMean,
    runningVar: bn.runningVar,
  };
}

/** Analytic backward of the head: dx and the gradient of every trainable tensor, by name. */
export function headBackwardRef(
  c: ProjectionHeadConfig,
  B: number,
  x: Arr,
  p: RefParams,
  f: HeadRefForward,
  dy: Arr,
  mode: BatchNormMode,
  prefix = 'inv_head',
): { dx: Float64Array; grads: Map<string, Float64Array> } {
  const g = (n: string) => getRef(p, `${prefix}.${n}`);
  const grads = new Map<string, Float64Array>();
  const s3 = { B, inFeatures: c.hidden, outFeatures: c.out, bias: c.bias };
  const b3 = linearBackwardRef(s3, f.a, g('3.weight'), dy);
  grads.set(`${prefix}.3.weight`, b3.dw);
  if (c.bias) grads.set(`${prefix}.3.bias`, b3.db);
  const dbn = activationBackwardRef(f.a, b3.dx, 0);
  const bnb = batchNormBackwardRef({ B, C: c.hidden, L: 1 }, f.h, dbn, g('1.weight'), f.mean, f.invstd, mode);
  grads.set(`${prefix}.1.weight`, bnb.dgamma);
  grads.set(`${prefix}.1.bias`, bnb.dbeta);
  const s0 = { B, inFeatures: c.inFeatures, outFeatures: c.hidden, bias: c.bias };
  const b0 = linearBackwardRef(s0, x, g('0.weight'), bnb.dx);
  grads.set(`${prefix}.0.weight`, b0.dw);
  if (c.bias) grads.set(`${prefix}.0.bias`, b0.db);
  return { dx: b0.dx, grads };
}
