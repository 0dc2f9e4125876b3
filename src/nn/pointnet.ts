import type { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { planActivation } from '../kernels/activation';
import { type BatchNormMode, batchNormScratch, planBatchNorm } from '../kernels/batchnorm';
import { planPooling } from '../kernels/pooling';
import { allocateModel, type BufferSpec, BufferList, kernelScratch, paramBufferSpecs } from './buffer-plan';
import { planConv1x1 } from './conv1x1';
import { batchNormSpecs, type ParamSpec, weightSpec } from './param-spec';
import type { ParamStore } from './param-store';
import type { EncoderPlanOptions, PointEncoder } from './point-encoder';
import {
  headBufferNames,
  type ProjectionHeadConfig,
  planProjectionHead,
  projectionHeadBufferSpecs,
  projectionHeadSpecs,
} from './projection-head';

/**
 * The paper's PointNet backbone (DESIGN.md §1): a shared MLP 3→64→64→64→128→emb of 1×1
 * Conv1d without bias, each followed by BatchNorm1d over the points and ReLU, then a global max
 * pool to the emb-d feature, then CrossPoint's point projection head (Linear emb→512 with
 * bias → BN → ReLU → Linear 512→256 with bias).
 *
 * Tensor names follow the PointNet of the reference code (the DGCNN authors' model.py, which
 * CrossPoint's models/ reuses, with CrossPoint's inv_head added):
 *   conv1.weight [64, 3, 1] … conv5.weight [emb, 128, 1]   (Conv1d, no bias)
 *   bn1.* … bn5.*                                         (BatchNorm1d, 5 tensors each)
 *   inv_head.0.weight [512, emb], inv_head.0.bias [512], inv_head.1.* (BN 512),
 *   inv_head.3.weight [256, 512], inv_head.3.bias [256]
 * Unlike the DGCNN, the convolutions are not inside nn.Sequential, so there are no convK.0 /
 * convK.1 names and no aliases. The classification layers (linear1, bn6, linear2) are not part
 * of the pretraining model.
 */
export interface PointNetConfig {
  /** Widths of conv1..conv4 (reference 64, 64, 64, 128). */
  widths: [number, number, number, number];
  /** conv5 width = the feature width (reference 1024). */
  emb: number;
  /** inv_head hidden width (512) and projection size (256). */
  headHidden: number;
  proj: number;
}

export const POINTNET_REFERENCE: PointNetConfig = {
  widths: [64, 64, 64, 128],
  emb: 1024,
  headHidden: 512,
  proj: 256,
};

/** Output width of conv l (1-based) and its input width. */
export function pointnetWidth(c: PointNetConfig, l: number): number {
  return l === 5 ? c.emb : c.widths[l - 1]!;
}
export function pointnetInputWidth(c: PointNetConfig, l: number): number {
  return l === 1 ? 3 : c.widths[l - 2]!;
}

export function pointnetHeadConfig(c: PointNetConfig): ProjectionHeadConfig {
  return { inFeatures: c.emb, hidden: c.headHidden, out: c.proj, bias: true };
}

/** Tensors in the reference's state_dict order: conv1..conv5, bn1..bn5, inv_head. */
export function pointnetParamSpecs(c: PointNetConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let l = 1; l <= 5; l++) {
    specs.push(weightSpec(`conv${l}.weight`, [pointnetWidth(c, l), pointnetInputWidth(c, l), 1]));
  }
  for (let l = 1; l <= 5; l++) specs.push(...batchNormSpecs(`bn${l}`, pointnetWidth(c, l)));
  specs.push(...projectionHeadSpecs(pointnetHeadConfig(c)));
  return specs;
}

/** Arena buffer names of a PointNet planned under `prefix`. */
export function pointnetBufferNames(prefix: string) {
  return {
    input: `${prefix}input`,
    /** [B, C_l, N] conv l output (the BN input). */
    z: (l: number) => `${prefix}z${l}`,
    /** [B, C_l, N] BN l output, ReLU applied in place. */
    a: (l: number) => `${prefix}a${l}`,
    features: `${prefix}features`,
    poolArg: `${prefix}pool.arg`,
    projections: `${prefix}projections`,
    head: `${prefix}head.`,
    dProjections: `${prefix}dProjections`,
    dFeatures: `${prefix}dFeatures`,
    /** [B, max C, N] gradient of a layer's output, reused by every layer. */
    dA: `${prefix}dA`,
    /** [B, max C, N] gradient of a layer's BN input, reused by every layer. */
    dZ: `${prefix}dZ`,
    dInput: `${prefix}dInput`,
  };
}

/** Every buffer createPointNet allocates (and what its kernels allocate, as kernel-scratch). */
export function pointnetBufferSpecs(c: PointNetConfig, o: EncoderPlanOptions): BufferSpec[] {
  const prefix = o.prefix ?? 'point.';
  const bwd = o.backward ?? true;
  const { batch: B, points: N } = o;
  const n = pointnetBufferNames(prefix);
  const l = new BufferList();
  l.push(...paramBufferSpecs(pointnetParamSpecs(c), prefix));
  l.add(n.input, B * 3 * N, 'activations');
  let maxC = 0;
  for (let i = 1; i <= 5; i++) {
    const C = pointnetWidth(c, i);
    maxC = Math.max(maxC, C);
    l.add(n.z(i), B * C * N, 'activations');
    l.add(n.a(i), B * C * N, 'activations');
    l.push(...kernelScratch(`${prefix}bn${i}`, batchNormScratch({ B, C, L: N })));
  }
  l.add(n.features, B * c.emb, 'activations');
  l.add(n.poolArg, B * c.emb, 'indices');
  l.add(n.projections, B * c.proj, 'activations');
  l.push(...projectionHeadBufferSpecs(pointnetHeadConfig(c), B, n.head, bwd));
  if (bwd) {
    l.add(n.dProjections, B * c.proj, 'activation-grads');
    l.add(n.dFeatures, B * c.emb, 'activation-grads');
    l.add(n.dA, B * maxC * N, 'activation-grads');
    l.add(n.dZ, B * maxC * N, 'activation-grads');
    if (o.inputGrad) l.add(n.dInput, B * 3 * N, 'activation-grads');
  }
  return l.specs;
}

/** What the phases of createPointNet share: the buffers allocated, the parameters, the names. */
interface PointNetPlan {
  ctx: GpuContext;
  c: PointNetConfig;
  B: number;
  N: number;
  bwd: boolean;
  specs: BufferSpec[];
  params: ParamStore;
  n: ReturnType<typeof pointnetBufferNames>;
  g: (name: string) => GPUBuffer;
  opt: (name: string) => GPUBuffer | undefined;
}

/** Allocates the encoder's buffers (its list, pointnetBufferSpecs) and parameters in `arena`. */
function allocatePointNet(
  ctx: GpuContext,
  arena: BufferArena,
  c: PointNetConfig,
  o: EncoderPlanOptions,
): PointNetPlan {
  const prefix = o.prefix ?? 'point.';
  const bwd = o.backward ?? true;
  if (o.inputGrad && !bwd) throw new Error('createPointNet: inputGrad needs the backward');
  const specs = pointnetBufferSpecs(c, o);
  const { params, g, opt } = allocateModel(ctx, arena, pointnetParamSpecs(c), specs, prefix);
  return { ctx, c, B: o.batch, N: o.points, bwd, specs, params, n: pointnetBufferNames(prefix), g, opt };
}

/** Shared 1×1 convolution l (1..5), its BatchNorm and ReLU, forward and backward. */
async function planPointNetLayer(r: PointNetPlan, l: number) {
  const { ctx, c, B, N, bwd, params, n, g, opt } = r;
  const Cin = pointnetInputWidth(c, l);
  const C = pointnetWidth(c, l);
  const dA = opt(n.dA);
  const dZ = opt(n.dZ);
  const conv = await planConv1x1(
    ctx,
    { B, Cin, Cout: C, N },
    {
      x: l === 1 ? g(n.input) : g(n.a(l - 1)),
      w: params.value(`conv${l}.weight`),
      y: g(n.z(l)),
      dy: dZ,
      dx: l === 1 ? opt(n.dInput) : dA,
      dw: bwd ? params.grad(`conv${l}.weight`) : undefined,
    },
  );
  const bn = await planBatchNorm(
    ctx,
    { B, C, L: N },
    {
      x: g(n.z(l)),
      y: g(n.a(l)),
      gamma: params.value(`bn${l}.weight`),
      beta: params.value(`bn${l}.bias`),
      runningMean: params.value(`bn${l}.running_mean`),
      runningVar: params.value(`bn${l}.running_var`),
      ...(bwd
        ? { dy: dA, dx: dZ, dgamma: params.grad(`bn${l}.weight`), dbeta: params.grad(`bn${l}.bias`) }
        : {}),
    },
  );
  const relu = await planActivation(
    ctx,
    { n: B * C * N, kind: 'relu' },
    { x: g(n.a(l)), y: g(n.a(l)), dy: dA, dx: dA },
  );
  return { conv, bn, relu };
}

/** The max pool over points into the feature, then the projection head. */
async function planPointNetHead(r: PointNetPlan, o: EncoderPlanOptions) {
  const { ctx, c, B, N, params, n, g, opt } = r;
  const pool = await planPooling(
    ctx,
    { B, C: c.emb, N, mode: 'max' },
    { x: g(n.a(5)), out: g(n.features), arg: g(n.poolArg), dout: opt(n.dFeatures), dx: opt(n.dA) },
  );
  const hn = headBufferNames(n.head);
  const head = await planProjectionHead(
    ctx,
    params,
    pointnetHeadConfig(c),
    B,
    {
      x: g(n.features),
      y: g(n.projections),
      dy: opt(n.dProjections),
      dx: opt(n.dFeatures),
      h: g(hn.h),
      a: g(hn.a),
      da: opt(hn.da),
      dh: opt(hn.dh),
    },
    { accumulateDx: o.featureGrad },
  );
  return { pool, head };
}

/** Plans a PointNet encoder with its head in `arena` (parameters uploaded separately). */
export async function createPointNet(
  ctx: GpuContext,
  arena: BufferArena,
  c: PointNetConfig,
  o: EncoderPlanOptions,
): Promise<PointEncoder> {
  const r = allocatePointNet(ctx, arena, c, o);
  const { B, N, bwd, specs, params, n, g, opt } = r;
  const layers: Awaited<ReturnType<typeof planPointNetLayer>>[] = [];
  for (let l = 1; l <= 5; l++) layers.push(await planPointNetLayer(r, l));
  const { pool, head } = await planPointNetHead(r, o);
  return {
    kind: 'pointnet',
    batch: B,
    points: N,
    params,
    input: g(n.input),
    features: g(n.features),
    projections: g(n.projections),
    dProjections: opt(n.dProjections),
    dFeatures: opt(n.dFeatures),
    dInput: opt(n.dInput),
    featureWidth: c.emb,
    projWidth: c.proj,
    bufferSpecs: specs,
    encodeForward(enc, mode: BatchNormMode) {
      for (const { conv, bn, relu } of layers) {
        conv.encodeForward(enc);
        bn.encodeForward(enc, mode);
        relu.encodeForward(enc);
      }
      pool.encodeForward(enc);
      head.encodeForward(enc, mode);
      if (mode === 'train') params.countBatch();
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('PointNet: planned without the backward');
      head.encodeBackward(enc);
      pool.encodeBackward(enc);
      for (let l = 5; l >= 1; l--) {
        const { conv, bn, relu } = layers[l - 1]!;
        relu.encodeBackward(enc);
        bn.encodeBackward(enc);
        conv.encodeBackward(enc);
      }
    },
    destroy() {
      for (const { conv, bn, relu } of layers) for (const op of [conv, bn, relu]) op.destroy();
      pool.destroy();
      head.destroy();
    },
  };
}
