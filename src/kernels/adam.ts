import adamWgsl from '../../shaders/adam.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';
import { ADAM_DEFAULTS, type AdamHyper } from './adam-hyper';

const WG = 256;

/** One trainable tensor: its parameters, gradient and the optimiser's two moments (all [n] f32). */
export interface AdamSlot {
  name: string;
  n: number;
  param: GPUBuffer;
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
}

export interface AdamOp {
  /** Records the finiteness checks for every tensor, then the update of every tensor. */
  encode(enc: GPUCommandEncoder): void;
  /** Set the step number t (1-based, after this update) and the learning rate before encoding. */
  setStep(t: number, lr: number): void;
  /** [tensors + 1] u32: flags[t] ≠ 0 where tensor t's gradient was not finite; the last is their OR. */
  readonly flags: GPUBuffer;
  readonly names: readonly string[];
  destroy(): void;
}

/**
 * Plans Adam over a list of tensors. Each step: clear flags, check every gradient, then update
 * every tensor unless some gradient was non-finite (then nothing changes and `flags` says which).
 */
export async function planAdam(
  ctx: GpuContext,
  slots: AdamSlot[],
  hyper: Partial<AdamHyper> = {},
): Promise<AdamOp> {
  const h = { ...ADAM_DEFAULTS, ...hyper };
  const check = await ctx.pipelines.compute(adamWgsl, 'check_finite', { WG }, 'adam');
  const step = await ctx.pipelines.compute(adamWgsl, 'adam_step', { WG }, 'adam');
  const flags = ctx.device.createBuffer({
    label: 'adam.flags',
    size: Math.max(16, (slots.length + 1) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const per = slots.map((s, tensor) => {
    const params = createParams(ctx, `adam.params.${s.name}`, [
      ['u32', s.n],
      ['u32', tensor],
      ['f32', h.lr],
      ['f32', h.beta1],
      ['f32', h.beta2],
      ['f32', h.eps],
      ['f32', h.weightDecay],
      ['f32', 1 - h.beta1],
      ['f32', Math.sqrt(1 - h.beta2)],
      ['u32', slots.length],
      ['u32', 0],
      ['u32', 0],
    ]);
    const checkBind = ctx.device.createBindGroup({
      layout: check.getBindGroupLayout(0),
      entries: [
        { binding: 1, resource: { buffer: s.grad } },
        { binding: 4, resource: { buffer: flags } },
        { binding: 5, resource: { buffer: params.buffer } },
      ],
    });
    const stepBind = bindBuffers(
      ctx,
      step,
      [s.param, s.grad, s.m, s.v, flags, params.buffer],
      `adam.${s.name}`,
    );
    return { s, params, checkBind, stepBind, groups: grid1D(ctx, Math.ceil(s.n / WG)) };
  });
  return {
    flags,
    names: slots.map((s) => s.name),
    setStep(t, lr) {
      for (const [tensor, { s, params }] of per.entries()) {
        params.write([
          s.n,
          tensor,
          lr,
          h.beta1,
          h.beta2,
          h.eps,
          h.weightDecay,
          1 - h.beta1 ** t,
          Math.sqrt(1 - h.beta2 ** t),
          slots.length,
          0,
          0,
        ]);
      }
    },
    encode(enc) {
      enc.clearBuffer(flags);
      for (const p of per) encodePass(enc, check, p.checkBind, p.groups, `adam.check.${p.s.name}`);
      for (const p of per) encodePass(enc, step, p.stepBind, p.groups, `adam.step.${p.s.name}`);
    },
    destroy() {
      flags.destroy();
      for (const p of per) p.params.buffer.destroy();
    },
  };
}
