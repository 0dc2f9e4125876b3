import type { GpuContext } from '../gpu/context';
import { type ActivationOp, planActivation } from '../kernels/activation';
import { type BatchNormMode, type BatchNormOp, batchNormScratch, planBatchNorm } from '../kernels/batchnorm';
import { type LinearOp, planLinear } from '../kernels/linear';
import { type BufferSpec, BufferList, kernelScratch } from './buffer-plan';
import { batchNormSpecs, biasSpec, type ParamSpec, weightSpec } from './param-spec';
import type { ParamStore } from './param-store';

/**
 * CrossPoint's projection head ("inv_head"): Linear(in→hidden) → BatchNorm1d over the batch →
 * ReLU → Linear(hidden→out). The point head has biases (inv_head.0.bias, inv_head.3.bias); the
 * image head has none (crosspoint-weights.md §1, §2).
 */
export interface ProjectionHeadConfig {
  inFeatures: number;
  hidden: number;
  out: number;
  bias: boolean;
}

/** The head's tensors in state_dict order: `${prefix}.0.weight` [hidden, in], (.0.bias), `${prefix}.1.*` (BN), `${prefix}.3.weight` [out, hidden], (.3.bias). */
export function projectionHeadSpecs(c: ProjectionHeadConfig, prefix = 'inv_head'): ParamSpec[] {
  const specs: ParamSpec[] = [weightSpec(`${prefix}.0.weight`, [c.hidden, c.inFeatures])];
  if (c.bias) specs.push(biasSpec(`${prefix}.0.bias`, c.hidden, c.inFeatures));
  specs.push(...batchNormSpecs(`${prefix}.1`, c.hidden));
  specs.push(weightSpec(`${prefix}.3.weight`, [c.out, c.hidden]));
  if (c.bias) specs.push(biasSpec(`${prefix}.3.bias`, c.out, c.hidden));
  return specs;
}

/** Buffer names of the head's intermediates under `name` (e.g. "point.head."). */
export function headBufferNames(name: string) {
  return {
    /** [B, hidden] Linear 0 output (the BN input). */
    h: `${name}h`,
    /** [B, hidden] BN output, ReLU applied in place. */
    a: `${name}a`,
    /** [B, hidden] gradient of the ReLU output, then (in place) of the BN output. */
    da: `${name}da`,
    /** [B, hidden] gradient of the BN input. */
    dh: `${name}dh`,
  };
}

/**
 * The buffers the head allocates (arena) and those its kernels allocate (counted as
 * kernel-scratch: the BN's partial sums, saved mean and invstd; the bias column sums).
 */
export function projectionHeadBufferSpecs(
  c: ProjectionHeadConfig,
  B: number,
  name: string,
  withBackward: boolean,
): BufferSpec[] {
  const n = headBufferNames(name);
  const l = new BufferList();
  l.add(n.h, B * c.hidden, 'activations');
  l.add(n.a, B * c.hidden, 'activations');
  if (withBackward) {
    l.add(n.da, B * c.hidden, 'activation-grads');
    l.add(n.dh, B * c.hidden, 'activation-grads');
  }
  l.push(...kernelScratch(`${name}bn`, batchNormScratch({ B, C: c.hidden, L: 1 })));
  return l.specs;
}

export interface ProjectionHeadBuffers {
  /** [B, in] input (the pooled feature). */
  x: GPUBuffer;
  /** [B, out] projections. */
  y: GPUBuffer;
  /** [B, out] gradient of the projections; enables the backward. */
  dy?: GPUBuffer;
  /** [B, in] gradient of the input; optional. */
  dx?: GPUBuffer;
  /** The four intermediates (headBufferNames); dA/dH only with the backward. */
  h: GPUBuffer;
  a: GPUBuffer;
  da?: GPUBuffer;
  dh?: GPUBuffer;
}

export interface ProjectionHead {
  readonly config: ProjectionHeadConfig;
  /** Train mode uses the batch statistics and updates the BN's running stats (not its counter). */
  encodeForward(enc: GPUCommandEncoder, mode: BatchNormMode): void;
  /** Parameter gradients (overwritten) and dx (overwritten, or added with accumulateDx). */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * Plans the head over preallocated buffers and the tensors of `params` named `${prefix}.*`.
 * num_batches_tracked is the owner's: the model calls params.countBatch() once per training forward.
 */
export async function planProjectionHead(
  ctx: GpuContext,
  params: ParamStore,
  c: ProjectionHeadConfig,
  B: number,
  bufs: ProjectionHeadBuffers,
  opts: { prefix?: string; accumulateDx?: boolean } = {},
): Promise<ProjectionHead> {
  const p = opts.prefix ?? 'inv_head';
  const bwd = bufs.dy !== undefined;
  if (bwd && (!bufs.da || !bufs.dh)) throw new Error('projection head: the backward needs da and dh');
  const grad = (name: string) => (bwd ? params.grad(name) : undefined);
  const lin0: LinearOp = await planLinear(
    ctx,
    { B, inFeatures: c.inFeatures, outFeatures: c.hidden, bias: c.bias, accumulateDx: opts.accumulateDx },
    {
      x: bufs.x,
      w: params.value(`${p}.0.weight`),
      b: c.bias ? params.value(`${p}.0.bias`) : undefined,
      y: bufs.h,
      dy: bufs.dh,
      dx: bufs.dx,
      dw: grad(`${p}.0.weight`),
      db: c.bias ? grad(`${p}.0.bias`) : undefined,
    },
  );
  const bn: BatchNormOp = await planBatchNorm(
    ctx,
    { B, C: c.hidden, L: 1 },
    {
      x: bufs.h,
      y: bufs.a,
      gamma: params.value(`${p}.1.weight`),
      beta: params.value(`${p}.1.bias`),
      runningMean: params.value(`${p}.1.running_mean`),
      runningVar: params.value(`${p}.1.running_var`),
      ...(bwd ? { dy: bufs.da, dx: bufs.dh, dgamma: grad(`${p}.1.weight`), dbeta: grad(`${p}.1.bias`) } : {}),
    },
  );
  // ReLU in place on the BN output; its backward reads the output and runs in place on da.
  const relu: ActivationOp = await planActivation(
    ctx,
    { n: B * c.hidden, kind: 'relu' },
    { x: bufs.a, y: bufs.a, dy: bufs.da, dx: bufs.da },
  );
  const lin3: LinearOp = await planLinear(
    ctx,
    { B, inFeatures: c.hidden, outFeatures: c.out, bias: c.bias },
    {
      x: bufs.a,
      w: params.value(`${p}.3.weight`),
      b: c.bias ? params.value(`${p}.3.bias`) : undefined,
      y: bufs.y,
      dy: bufs.dy,
      dx: bufs.da,
      dw: grad(`${p}.3.weight`),
      db: c.bias ? grad(`${p}.3.bias`) : undefined,
    },
  );
  return {
    config: c,
    encodeForward(enc, mode) {
      lin0.encodeForward(enc);
      bn.encodeForward(enc, mode);
      relu.encodeForward(enc);
      lin3.encodeForward(enc);
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('projection head: planned without dy, no backward');
      lin3.encodeBackward(enc);
      relu.encodeBackward(enc);
      bn.encodeBackward(enc);
      lin0.encodeBackward(enc);
    },
    destroy() {
      for (const op of [lin0, bn, relu, lin3]) op.destroy();
    },
  };
}
