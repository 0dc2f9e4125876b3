import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { createBufferFrom, readF32, readU32, submitAndWait } from '../gpu/buffers';
import { cosineLr } from '../train/schedule';
import { Rng } from '../util/random';
import { type AdamSlot, planAdam } from './adam';
import { type AdamHyper, adamRef } from './adam.ref';

const gpu = setupGpu();

describe('Adam (shaders/adam.wgsl)', () => {
  it('three steps on tensors of awkward sizes match torch.optim.Adam semantics', async () => {
    const ctx = gpu();
    const rng = new Rng(3);
    const sizes = [1, 7, 257, 1031];
    const h: AdamHyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 };
    const host = sizes.map((n) => ({
      theta: Float64Array.from(rng.normalArray(n)),
      m: new Float64Array(n),
      v: new Float64Array(n),
    }));
    const slots: AdamSlot[] = sizes.map((n, i) => ({
      name: `t${i}`,
      n,
      param: createBufferFrom(ctx, Float32Array.from(host[i]!.theta)),
      grad: createBufferFrom(ctx, new Float32Array(n)),
      m: createBufferFrom(ctx, new Float32Array(n)),
      v: createBufferFrom(ctx, new Float32Array(n)),
    }));
    const { lr: base, ...fixed } = h;
    const op = await planAdam(ctx, slots, fixed);
    for (let t = 1; t <= 3; t++) {
      const lr = cosineLr(base, t - 1, 3);
      for (const [i, n] of sizes.entries()) {
        const g = rng.normalArray(n);
        ctx.device.queue.writeBuffer(slots[i]!.grad, 0, g);
        adamRef(host[i]!.theta, g, host[i]!.m, host[i]!.v, t, { ...h, lr });
      }
      op.setStep(t, lr);
      await submitAndWait(ctx, (enc) => op.encode(enc));
    }
    for (const [i, n] of sizes.entries()) {
      expectClose(await readF32(ctx, slots[i]!.param, n), host[i]!.theta, 1e-6, 1e-5, `θ of t${i}`);
      expectClose(await readF32(ctx, slots[i]!.m, n), host[i]!.m, 1e-6, 1e-5, `m of t${i}`);
      expectClose(await readF32(ctx, slots[i]!.v, n), host[i]!.v, 1e-7, 1e-5, `v of t${i}`);
    }
    expect([...(await readU32(ctx, op.flags, sizes.length + 1))]).toEqual([0, 0, 0, 0, 0]);
    op.destroy();
  });

  it('a non-finite gradient in one tensor flags that tensor and leaves every parameter unchanged', async () => {
    const ctx = gpu();
    const rng = new Rng(4);
    const mk = (n: number, name: string, g: Float32Array): AdamSlot => ({
      name,
      n,
      param: createBufferFrom(ctx, rng.normalArray(n)),
      grad: createBufferFrom(ctx, g),
      m: createBufferFrom(ctx, new Float32Array(n)),
      v: createBufferFrom(ctx, new Float32Array(n)),
    });
    const bad = rng.normalArray(300);
    bad[299] = Number.POSITIVE_INFINITY;
    const nan = rng.normalArray(5);
    nan[0] = Number.NaN;
    const slots = [mk(10, 'ok', rng.normalArray(10)), mk(300, 'inf', bad), mk(5, 'nan', nan)];
    const before = await Promise.all(slots.map((s) => readF32(ctx, s.param, s.n)));
    const op = await planAdam(ctx, slots);
    op.setStep(1, 1e-3);
    await submitAndWait(ctx, (enc) => op.encode(enc));
    expect([...(await readU32(ctx, op.flags, 4))]).toEqual([0, 1, 1, 1]);
    for (const [i, s] of slots.entries()) {
      expectClose(await readF32(ctx, s.param, s.n), before[i]!, 0, 0, `${s.name} unchanged`);
    }
    // Flags are cleared by the next step: with finite gradients the update goes through.
    ctx.device.queue.writeBuffer(slots[1]!.grad, 0, rng.normalArray(300));
    ctx.device.queue.writeBuffer(slots[2]!.grad, 0, rng.normalArray(5));
    await submitAndWait(ctx, (enc) => op.encode(enc));
    expect([...(await readU32(ctx, op.flags, 4))]).toEqual([0, 0, 0, 0]);
    const after = await readF32(ctx, slots[0]!.param, 10);
    expect(after.some((x, i) => x !== before[0]![i])).toBe(true);
    op.destroy();
  });

  it('takes its learning rate only from setStep: encoding before the first setStep is refused', async () => {
    const ctx = gpu();
    const n = 3;
    const slot: AdamSlot = {
      name: 'w',
      n,
      param: createBufferFrom(ctx, new Float32Array(n)),
      grad: createBufferFrom(ctx, new Float32Array(n)),
      m: createBufferFrom(ctx, new Float32Array(n)),
      v: createBufferFrom(ctx, new Float32Array(n)),
    };
    const op = await planAdam(ctx, [slot]);
    const enc = ctx.device.createCommandEncoder();
    expect(() => op.encode(enc)).toThrow(/setStep\(t, lr\) before encoding/);
    enc.finish();
    op.destroy();
  });
});

describe('cosine schedule', () => {
  it('follows CosineAnnealingLR', () => {
    expect(cosineLr(1e-3, 0, 100)).toBe(1e-3);
    expect(cosineLr(1e-3, 50, 100)).toBeCloseTo(5e-4, 12);
    expect(cosineLr(1e-3, 100, 100)).toBeCloseTo(0, 12);
    expect(cosineLr(1e-3, 25, 100, 1e-5)).toBeCloseTo(1e-5 + ((1e-3 - 1e-5) * (1 + Math.SQRT1_2)) / 2, 12);
  });
});
