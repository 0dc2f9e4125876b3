import { activationBackwardRef, activationRef } from '../kernels/activation.ref';
import type { BatchNormMode } from '../kernels/batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from '../kernels/batchnorm.ref';
import {
  type Conv2dRefShape,
  conv2dBackwardInputRef,
  conv2dBackwardWeightRef,
  conv2dRef,
} from '../kernels/conv2d.ref';
import { maxPool2dBackwardRef, maxPool2dRef, type MaxPool2dRefShape } from '../kernels/maxpool2d.ref';
import { linearBackwardRef, linearForwardRef } from '../kernels/linear.ref';
import { poolBackwardRef, poolForwardRef } from '../kernels/pooling.ref';
import type { ConvLayer, PoolLayer, ResNetLayout } from './resnet-plan';

/**
 * Float64 reference of src/nn/resnet.ts: the encoder forward and its analytic backward, composed
 * from the kernel references (conv2d, maxpool2d, batchnorm, activation, pooling, linear).
 */

type Arr = ArrayLike<number>;
/** Model tensors by reference name. */
export type RefParams = Map<string, Arr>;

function param(p: RefParams, name: string): Arr {
  const v = p.get(name);
  if (!v) throw new Error(`reference: no tensor "${name}"`);
  return v;
}

function poolShape(B: number, l: PoolLayer): MaxPool2dRefShape {
  return { B, C: l.C, H: l.H, W: l.W, kernel: l.K, stride: l.stride, pad: l.pad };
}

function convShape(B: number, l: ConvLayer): Conv2dRefShape {
  return { B, Cin: l.Cin, H: l.H, W: l.W, Cout: l.Cout, KH: l.K, KW: l.K, stride: l.stride, pad: l.pad };
}

/** What one Conv → BN [→ ReLU] unit keeps for its backward. */
interface UnitCache {
  l: ConvLayer;
  x: Arr;
  c: Float64Array;
  mean: Float64Array;
  invstd: Float64Array;
  /** BN output, after the ReLU when the unit has one. */
  y: Float64Array;
  relu: boolean;
}

interface BlockCache {
  units: UnitCache[];
  ds?: UnitCache;
  out: Float64Array;
}

export interface ResNetRefForward {
  features: Float64Array;
  projections: Float64Array;
  /** Running statistics after the call, `${bn}.running_mean` / `${bn}.running_var` for every BN (head included). */
  running: Map<string, Float64Array>;
  mode: BatchNormMode;
  stem: UnitCache;
  pool?: { y: Float64Array; argmax: Int32Array };
  blocks: BlockCache[];
  head: { h: Float64Array; a: Float64Array; mean: Float64Array; invstd: Float64Array };
}

function bnForward(
  B: number,
  C: number,
  L: number,
  name: string,
  x: Arr,
  p: RefParams,
  mode: BatchNormMode,
  running: Map<string, Float64Array>,
) {
  const r = batchNormForwardRef(
    { B, C, L },
    x,
    param(p, `${name}.weight`),
    param(p, `${name}.bias`),
    param(p, `${name}.running_mean`),
    param(p, `${name}.running_var`),
    mode,
  );
  running.set(`${name}.running_mean`, r.runningMean);
  running.set(`${name}.running_var`, r.runningVar);
  return r;
}

function unitForward(
  B: number,
  l: ConvLayer,
  x: Arr,
  p: RefParams,
  mode: BatchNormMode,
  relu: boolean,
  running: Map<string, Float64Array>,
): UnitCache {
  const c = conv2dRef(convShape(B, l), x, param(p, `${l.conv}.weight`));
  const bn = bnForward(B, l.Cout, l.Ho * l.Wo, l.bn, c, p, mode, running);
  return { l, x, c, mean: bn.mean, invstd: bn.invstd, y: relu ? activationRef(bn.y, 0) : bn.y, relu };
}

/** Forward of the whole encoder on input [B, 3, S, S]. */
export function resnetForwardRef(
  lay: ResNetLayout,
  input: Arr,
  p: RefParams,
  mode: BatchNormMode,
): ResNetRefForward {
  const { B, config: c } = lay;
  const running = new Map<string, Float64Array>();
  const stem = unitForward(B, lay.stem, input, p, mode, true, running);
  const pool = lay.pool ? maxPool2dRef(poolShape(B, lay.pool), stem.y) : undefined;
  let x: Float64Array = pool ? pool.y : stem.y;
  const blocks: BlockCache[] = [];
  for (const b of lay.blocks) {
    const units: UnitCache[] = [];
    let xi: Float64Array = x;
    b.convs.forEach((l, j) => {
      const u = unitForward(B, l, xi, p, mode, j < b.convs.length - 1, running);
      units.push(u);
      xi = u.y;
    });
    const ds = b.downsample ? unitForward(B, b.downsample, x, p, mode, false, running) : undefined;
    const sc = ds ? ds.y : x;
    const sum = new Float64Array(xi.length);
    for (let i = 0; i < sum.length; i++) sum[i] = xi[i]! + sc[i]!;
    const out = activationRef(sum, 0);
    blocks.push({ units, ds, out });
    x = out;
  }
  const features = poolForwardRef({ B, C: lay.F, N: lay.lastHW, mode: 'mean' }, x).out;
  const h = linearForwardRef(
    { B, inFeatures: lay.F, outFeatures: c.headHidden, bias: false },
    features,
    param(p, 'inv_head.0.weight'),
  );
  const bn = bnForward(B, c.headHidden, 1, 'inv_head.1', h, p, mode, running);
  const a = activationRef(bn.y, 0);
  const projections = linearForwardRef(
    { B, inFeatures: c.headHidden, outFeatures: c.proj, bias: false },
    a,
    param(p, 'inv_head.3.weight'),
  );
  return {
    features,
    projections,
    running,
    mode,
    stem,
    pool,
    blocks,
    head: { h, a, mean: bn.mean, invstd: bn.invstd },
  };
}

function unitBackward(
  B: number,
  u: UnitCache,
  p: RefParams,
  dy: Arr,
  mode: BatchNormMode,
  grads: Map<string, Float64Array>,
  needDx: boolean,
): Float64Array | undefined {
  const { l } = u;
  const d = u.relu ? activationBackwardRef(u.y, dy, 0) : dy;
  const bn = batchNormBackwardRef(
    { B, C: l.Cout, L: l.Ho * l.Wo },
    u.c,
    d,
    param(p, `${l.bn}.weight`),
    u.mean,
    u.invstd,
    mode,
  );
  grads.set(`${l.bn}.weight`, bn.dgamma);
  grads.set(`${l.bn}.bias`, bn.dbeta);
  grads.set(`${l.conv}.weight`, conv2dBackwardWeightRef(convShape(B, l), u.x, bn.dx));
  return needDx ? conv2dBackwardInputRef(convShape(B, l), bn.dx, param(p, `${l.conv}.weight`)) : undefined;
}

/** Analytic backward from dProjections [B, proj]: the gradient of every trainable tensor, by name, and of the features. */
export function resnetBackwardRef(
  lay: ResNetLayout,
  p: RefParams,
  f: ResNetRefForward,
  dProjections: Arr,
): { grads: Map<string, Float64Array>; dFeatures: Float64Array } {
  const { B, config: c } = lay;
  const mode = f.mode;
  const grads = new Map<string, Float64Array>();
  const l3 = linearBackwardRef(
    { B, inFeatures: c.headHidden, outFeatures: c.proj, bias: false },
    f.head.a,
    param(p, 'inv_head.3.weight'),
    dProjections,
  );
  grads.set('inv_head.3.weight', l3.dw);
  const da = activationBackwardRef(f.head.a, l3.dx, 0);
  const bn = batchNormBackwardRef(
    { B, C: c.headHidden, L: 1 },
    f.head.h,
    da,
    param(p, 'inv_head.1.weight'),
    f.head.mean,
    f.head.invstd,
    mode,
  );
  grads.set('inv_head.1.weight', bn.dgamma);
  grads.set('inv_head.1.bias', bn.dbeta);
  const l0 = linearBackwardRef(
    { B, inFeatures: lay.F, outFeatures: c.headHidden, bias: false },
    f.features,
    param(p, 'inv_head.0.weight'),
    bn.dx,
  );
  grads.set('inv_head.0.weight', l0.dw);
  let d: Float64Array = poolBackwardRef(
    { B, C: lay.F, N: lay.lastHW, mode: 'mean' },
    new Int32Array(0),
    l0.dx,
  );
  for (let i = lay.blocks.length - 1; i >= 0; i--) {
    const bc = f.blocks[i]!;
    const dsum = activationBackwardRef(bc.out, d, 0);
    let g: Float64Array = dsum;
    for (let j = bc.units.length - 1; j >= 0; j--)
      g = unitBackward(B, bc.units[j]!, p, g, mode, grads, true)!;
    const dsc = bc.ds ? unitBackward(B, bc.ds, p, dsum, mode, grads, true)! : dsum;
    for (let k = 0; k < g.length; k++) g[k]! += dsc[k]!;
    d = g;
  }
  if (lay.pool && f.pool) d = maxPool2dBackwardRef(poolShape(B, lay.pool), d, f.pool.argmax);
  unitBackward(B, f.stem, p, d, mode, grads, false);
  return { grads, dFeatures: l0.dx };
}
