import adamWgsl from '../../shaders/adam.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';
import { createParams, type ParamType } from '../gpu/params';
import { ADAM_DEFAULTS, type AdamHyper, adamStepFields } from './adam-hyper';

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

/** Adam's settings fixed at plan time: the learning rate comes with each step (setStep). */
export type AdamPlanHyper = Omit<AdamHyper, 'lr'>;

/**
 * The uniform of one tensor's passes at step t (1-based) with learning rate lr: the one place
 * its 12 fields are listed, in the order of shaders/adam.wgsl's `Params`.
 */
function adamParams(
  h: AdamPlanHyper,
  n: number,
  tensor: number,
  tensors: number,
  t: number,
  lr: number,
): [ParamType, number][] {
  return [
    ['u32', n],
    ['u32', tensor],
    ...adamStepFields(h, t, lr),
    ['u32', tensors], // anyIndex: the flags slot that ORs every tensor's
    ['u32', 0],
    ['u32', 0],
  ];
}

/**
 * Plans Adam over a list of tensors. Each step: clear flags, check every gradient, then update
 * every tensor unless some gradient was non-finite (then nothing changes and `flags` says which).
 */
export async function planAdam(
  ctx: GpuContext,
  slots: AdamSlot[],
  hyper: Partial<AdamPlanHyper> = {},
): Promise<AdamOp> {
  const { lr: _unused, ...defaults } = ADAM_DEFAULTS;
  const h: AdamPlanHyper = { ...defaults, ...hyper };
  let stepSet = false;
  const check = await ctx.pipelines.compute(adamWgsl, 'check_finite', { WG }, 'adam');
  const step = await ctx.pipelines.compute(adamWgsl, 'adam_step', { WG }, 'adam');
  const flags = ctx.device.createBuffer({
    label: 'adam.flags',
    size: Math.max(16, (slots.length + 1) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const per = slots.map((s, tensor) => {
    // Written for real by setStep before the first encode (NaN lr until then).
    const params = createParams(
      ctx,
      `adam.params.${s.name}`,
      adamParams(h, s.n, tensor, slots.length, 1, Number.NaN),
    );
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
        params.write(adamParams(h, s.n, tensor, slots.length, t, lr).map(([, v]) => v));
      }
      stepSet = true;
    },
    encode(enc) {
      if (!stepSet) throw new Error('planAdam: call setStep(t, lr) before encoding the first update');
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
