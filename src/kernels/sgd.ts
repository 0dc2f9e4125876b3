import sgdWgsl from '../../shaders/sgd.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';
import { SGD_PARTSEG, type SgdHyper } from './sgd-hyper';

const WG = 256;

/** One trainable tensor: its parameters, gradient and momentum buffer (all [n] f32; buf zeroed). */
export interface SgdSlot {
  name: string;
  n: number;
  param: GPUBuffer;
  grad: GPUBuffer;
  buf: GPUBuffer;
}

export interface SgdOp {
  /** Records the finiteness checks for every tensor, then the update of every tensor. */
  encode(enc: GPUCommandEncoder): void;
  /** Set the learning rate (e.g. the cosine schedule's) before encoding. */
  setLr(lr: number): void;
  /** [tensors + 1] u32: flags[t] ≠ 0 where tensor t's gradient was not finite; the last is their OR. */
  readonly flags: GPUBuffer;
  readonly names: readonly string[];
  destroy(): void;
}

/**
 * Plans SGD with momentum and weight decay over a list of tensors. Each step: clear flags, check
 * every gradient, then update every tensor unless some gradient was non-finite.
 */
export async function planSgd(
  ctx: GpuContext,
  slots: SgdSlot[],
  hyper: Partial<SgdHyper> = {},
): Promise<SgdOp> {
  const h = { ...SGD_PARTSEG, ...hyper };
  const check = await ctx.pipelines.compute(sgdWgsl, 'check_finite', { WG }, 'sgd');
  const step = await ctx.pipelines.compute(sgdWgsl, 'sgd_step', { WG }, 'sgd');
  const flags = ctx.device.createBuffer({
    label: 'sgd.flags',
    size: Math.max(16, (slots.length + 1) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const fields = (s: SgdSlot, tensor: number, lr: number): number[] => [
    s.n,
    tensor,
    lr,
    h.momentum,
    h.weightDecay,
    slots.length,
    0,
    0,
  ];
  const per = slots.map((s, tensor) => {
    const params = createParams(
      ctx,
      `sgd.params.${s.name}`,
      fields(s, tensor, h.lr).map((v, i) => [i === 2 || i === 3 || i === 4 ? 'f32' : 'u32', v]),
    );
    const checkBind = ctx.device.createBindGroup({
      layout: check.getBindGroupLayout(0),
      entries: [
        { binding: 1, resource: { buffer: s.grad } },
        { binding: 3, resource: { buffer: flags } },
        { binding: 4, resource: { buffer: params.buffer } },
      ],
    });
    const stepBind = bindBuffers(ctx, step, [s.param, s.grad, s.buf, flags, params.buffer], `sgd.${s.name}`);
    return { s, params, checkBind, stepBind, groups: grid1D(ctx, Math.ceil(s.n / WG)) };
  });
  return {
    flags,
    names: slots.map((s) => s.name),
    setLr(lr) {
      for (const [tensor, { s, params }] of per.entries()) params.write(fields(s, tensor, lr));
    },
    encode(enc) {
      enc.clearBuffer(flags);
      for (const p of per) encodePass(enc, check, p.checkBind, p.groups, `sgd.check.${p.s.name}`);
      for (const p of per) encodePass(enc, step, p.stepBind, p.groups, `sgd.step.${p.s.name}`);
    },
    destroy() {
      flags.destroy();
      for (const p of per) p.params.buffer.destroy();
    },
  };
}
