// The optimiser of train_partseg.py: SGD (lr = its --lr 0.001 × 100 = 0.1, momentum 0.9, weight
// decay 1e-4) or, with --optimizer adam, Adam (lr 1e-3, weight decay 1e-4); either way
// CosineAnnealingLR(opt, epochs, eta_min = 1e-3) stepped once per epoch.
import type { BufferArena } from '../gpu/arena';
import { readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { type AdamSlot, planAdam } from '../kernels/adam';
import { planSgd, type SgdSlot } from '../kernels/sgd';
import { SGD_PARTSEG } from '../kernels/sgd-hyper';
import type { ParamStore } from '../nn/param-store';
import { cosineLr } from './schedule';

export const PARTSEG_OPTIMIZERS = ['sgd', 'adam'] as const;
export type PartsegOptimizerName = (typeof PARTSEG_OPTIMIZERS)[number];

/** Initial learning rate and weight decay of each choice (train_partseg.py). */
export const PARTSEG_OPTIMIZER_HYPER: Record<PartsegOptimizerName, { lr: number; weightDecay: number }> = {
  sgd: { lr: SGD_PARTSEG.lr, weightDecay: SGD_PARTSEG.weightDecay },
  adam: { lr: 1e-3, weightDecay: 1e-4 },
};

/** CosineAnnealingLR's eta_min in train_partseg.py. */
export const PARTSEG_ETA_MIN = 1e-3;

/** The learning rate of epoch `epoch` (0-based) of `epochs`. */
export function partsegLr(name: PartsegOptimizerName, epoch: number, epochs: number): number {
  return cosineLr(PARTSEG_OPTIMIZER_HYPER[name].lr, epoch, epochs, PARTSEG_ETA_MIN);
}

export interface PartsegOptimizer {
  readonly name: PartsegOptimizerName;
  /** Set before encoding a step: the optimiser step about to be taken (1-based) and its lr. */
  setStep(step: number, lr: number): void;
  encode(enc: GPUCommandEncoder): void;
  /** [tensors + 1] u32 non-finite gradient flags (the last is their OR) and the tensors' names. */
  readonly flags: GPUBuffer;
  readonly names: readonly string[];
  /** The optimiser's state tensors by `<param>.<kind>` (kind: momentum_buffer, or exp_avg / exp_avg_sq). */
  readonly state: ReadonlyMap<string, { buffer: GPUBuffer; n: number }>;
  /** Read every state tensor back (for a checkpoint). */
  download(): Promise<Map<string, Float32Array>>;
  /** Restore state tensors saved by download(); missing ones stay zero. */
  upload(values: ReadonlyMap<string, Float32Array>): void;
  destroy(): void;
}

/** Plans the chosen optimiser over every trainable tensor of `store`, state allocated in `arena`. */
export async function planPartsegOptimizer(
  ctx: GpuContext,
  arena: BufferArena,
  store: ParamStore,
  name: PartsegOptimizerName,
): Promise<PartsegOptimizer> {
  const hyper = PARTSEG_OPTIMIZER_HYPER[name];
  const state = new Map<string, { buffer: GPUBuffer; n: number }>();
  const alloc = (param: string, kind: string, n: number) => {
    const buffer = arena.alloc(`${name}.${param}.${kind}`, n * 4, 'optimizer');
    state.set(`${param}.${kind}`, { buffer, n });
    return buffer;
  };
  let op: {
    encode(enc: GPUCommandEncoder): void;
    flags: GPUBuffer;
    names: readonly string[];
    destroy(): void;
  };
  let setStep: (step: number, lr: number) => void;
  if (name === 'sgd') {
    const slots: SgdSlot[] = store.trainable().map((t) => ({
      name: t.spec.name,
      n: t.n,
      param: t.value,
      grad: t.grad!,
      buf: alloc(t.spec.name, 'momentum_buffer', t.n),
    }));
    const sgd = await planSgd(ctx, slots, { ...SGD_PARTSEG, ...hyper });
    op = sgd;
    setStep = (_step, lr) => sgd.setLr(lr);
  } else {
    const slots: AdamSlot[] = store.trainable().map((t) => ({
      name: t.spec.name,
      n: t.n,
      param: t.value,
      grad: t.grad!,
      m: alloc(t.spec.name, 'exp_avg', t.n),
      v: alloc(t.spec.name, 'exp_avg_sq', t.n),
    }));
    const adam = await planAdam(ctx, slots, hyper);
    op = adam;
    setStep = (step, lr) => adam.setStep(step, lr);
  }
  return {
    name,
    setStep,
    encode: (enc) => op.encode(enc),
    flags: op.flags,
    names: op.names,
    state,
    async download() {
      const out = new Map<string, Float32Array>();
      for (const [k, s] of state) out.set(k, await readF32(ctx, s.buffer, s.n));
      return out;
    },
    upload(values) {
      for (const [k, s] of state) {
        const v = values.get(k);
        if (v && v.length === s.n)
          ctx.device.queue.writeBuffer(s.buffer, 0, v.buffer, v.byteOffset, v.byteLength);
      }
    },
    destroy: () => op.destroy(),
  };
}
