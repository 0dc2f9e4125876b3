import adamMultiWgsl from '../../shaders/adam_multi.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { createParams, type ParamType } from '../gpu/params';
import type { AdamPlanHyper } from './adam';
import { ADAM_DEFAULTS, adamStepFields } from './adam-hyper';
import { type AdamMomentsLayout, adamMomentsLayout } from './adam-moments';

export { type AdamMomentsLayout, adamMomentsLayout };

const WG = 256;
/** Tensors per update dispatch and per check dispatch: shaders/adam_multi.wgsl's STEP_SLOTS, CHECK_SLOTS. */
export const ADAM_STEP_SLOTS = 3;
export const ADAM_CHECK_SLOTS = 7;

/** One trainable tensor: its parameters and gradient (both [n] f32, in their own buffers). */
export interface AdamTensor {
  name: string;
  n: number;
  param: GPUBuffer;
  grad: GPUBuffer;
}

export interface AdamMultiOp {
  /** Records the finiteness checks of every gradient, then the update of every tensor. */
  encode(enc: GPUCommandEncoder): void;
  /** Set the step number t (1-based, after this update) and the learning rate before encoding. */
  setStep(t: number, lr: number): void;
  /** [tensors + 1] u32: flags[t] ≠ 0 where tensor t's gradient was not finite; the last is their OR. */
  readonly flags: GPUBuffer;
  readonly names: readonly string[];
  readonly layout: AdamMomentsLayout;
  /** Compute passes one `encode` records (checks + updates). */
  readonly dispatches: number;
  destroy(): void;
}

/** Consecutive runs of at most `size` items. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Plans Adam over a list of tensors with a few dispatches instead of two per tensor: the
 * gradients are checked ADAM_CHECK_SLOTS tensors per pass and updated ADAM_STEP_SLOTS tensors
 * per pass (shaders/adam_multi.wgsl), with the same arithmetic as planAdam, so the same bits.
 * Both moments of every tensor live in `moments` [2·layout.total] f32 (adamMomentsLayout), which
 * the caller allocates (zeroed) and may read or write at those offsets (checkpoints).
 */
export async function planAdamMulti(
  ctx: GpuContext,
  tensors: readonly AdamTensor[],
  moments: GPUBuffer,
  hyper: Partial<AdamPlanHyper> = {},
): Promise<AdamMultiOp> {
  if (tensors.length === 0) throw new RangeError('planAdamMulti: no tensors to optimise');
  for (const t of tensors)
    if (!(Number.isInteger(t.n) && t.n >= 1))
      throw new RangeError(`planAdamMulti: tensor "${t.name}" has ${t.n} elements (needs at least 1)`);
  const layout = adamMomentsLayout(tensors.map((t) => t.n));
  if (moments.size < 2 * layout.total * 4)
    throw new RangeError(
      `planAdamMulti: the moments buffer has ${moments.size} bytes, needs ${2 * layout.total * 4} (2 × ${layout.total} f32)`,
    );
  const { lr: _unused, ...defaults } = ADAM_DEFAULTS;
  const h: AdamPlanHyper = { ...defaults, ...hyper };
  const [check, step] = await Promise.all([
    ctx.pipelines.compute(adamMultiWgsl, 'check_finite_multi', { WG }, 'adam_multi'),
    ctx.pipelines.compute(adamMultiWgsl, 'adam_step_multi', { WG }, 'adam_multi'),
  ]);
  const flags = ctx.device.createBuffer({
    label: 'adam.flags',
    size: Math.max(16, (tensors.length + 1) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  // The per-step uniform (shaders/adam_multi.wgsl's Hyper), written by setStep (NaN lr until then).
  const hyperFields = (t: number, lr: number): [ParamType, number][] => [
    ...adamStepFields(h, t, lr),
    ['u32', tensors.length], // anyIndex
    ['u32', layout.total], // vOffset
    ['u32', 0],
    ['u32', 0],
    ['u32', 0],
  ];
  const hyperParams = createParams(ctx, 'adam_multi.hyper', hyperFields(1, Number.NaN));
  // Unused slots of a group bind their own 4-byte buffers (n = 0, never read): writable bindings
  // of one dispatch must not alias.
  const owned: GPUBuffer[] = [];
  const spareBuffer = (label: string) => {
    const b = createStorageBuffer(ctx, 4, label);
    owned.push(b);
    return b;
  };
  const indexed = tensors.map((t, index) => ({ t, index }));
  /** One dispatch over `group`: its slot table, bind group and workgroup grid. */
  const planGroup = (
    pipeline: GPUComputePipeline,
    group: { t: AdamTensor; index: number }[],
    slots: number,
    kind: 'check' | 'step',
    g: number,
  ) => {
    const table = new Uint32Array(7 * 4);
    let groups = 0;
    group.forEach(({ t, index }, s) => {
      table.set([t.n, groups, layout.offsets[index]!, index], s * 4);
      groups += Math.ceil(t.n / WG);
    });
    const tableBuffer = ctx.device.createBuffer({
      label: `adam_multi.${kind}${g}.slots`,
      size: table.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    ctx.device.queue.writeBuffer(tableBuffer, 0, table);
    owned.push(tableBuffer);
    const entries: GPUBindGroupEntry[] = [];
    for (let s = 0; s < slots; s++) {
      const t = group[s]?.t;
      if (kind === 'step')
        entries.push({
          binding: s,
          resource: { buffer: t?.param ?? spareBuffer(`adam_multi.spare.theta${s}`) },
        });
      entries.push({
        binding: 3 + s,
        resource: { buffer: t?.grad ?? spareBuffer(`adam_multi.spare.grad${s}`) },
      });
    }
    if (kind === 'step') entries.push({ binding: 10, resource: { buffer: moments } });
    entries.push(
      { binding: 11, resource: { buffer: flags } },
      { binding: 12, resource: { buffer: hyperParams.buffer } },
      { binding: 13, resource: { buffer: tableBuffer } },
    );
    const bind = ctx.device.createBindGroup({
      label: `adam_multi.${kind}${g}`,
      layout: pipeline.getBindGroupLayout(0),
      entries,
    });
    const names = group.map(({ t }) => t.name).join(',');
    return { pipeline, bind, grid: grid1D(ctx, groups), label: `adam.${kind}[${names}]` };
  };
  const passes = [
    ...chunks(indexed, ADAM_CHECK_SLOTS).map((g, i) => planGroup(check, g, ADAM_CHECK_SLOTS, 'check', i)),
    ...chunks(indexed, ADAM_STEP_SLOTS).map((g, i) => planGroup(step, g, ADAM_STEP_SLOTS, 'step', i)),
  ];
  let stepSet = false;
  return {
    flags,
    names: tensors.map((t) => t.name),
    layout,
    dispatches: passes.length,
    setStep(t, lr) {
      hyperParams.write(hyperFields(t, lr).map(([, v]) => v));
      stepSet = true;
    },
    encode(enc) {
      if (!stepSet) throw new Error('planAdamMulti: call setStep(t, lr) before encoding the first update');
      enc.clearBuffer(flags);
      // Every check pass precedes the first update pass: a bad gradient anywhere stops them all.
      for (const p of passes) encodePass(enc, p.pipeline, p.bind, p.grid, p.label);
    },
    destroy() {
      flags.destroy();
      hyperParams.buffer.destroy();
      for (const b of owned) b.destroy();
    },
  };
}
