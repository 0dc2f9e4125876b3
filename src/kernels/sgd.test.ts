import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { createBufferFrom, readF32, readU32, submitAndWait } from '../gpu/buffers';
import { cosineLr } from '../train/schedule';
import { Rng } from '../util/random';
import { type SgdSlot, planSgd } from './sgd';
import { SGD_PARTSEG } from './sgd-hyper';
import { sgdRef } from './sgd.ref';

const gpu = setupGpu();

describe('SGD with momentum (shaders/sgd.wgsl)', () => {
  it('a hand-computed pair of steps: buffer starts as the first gradient, weight decay joins the gradient', () => {
    const theta = Float64Array.from([1]);
    const buf = new Float64Array(1);
    const h = { lr: 0.1, momentum: 0.9, weightDecay: 0.5 };
    sgdRef(theta, [2], buf, h); // g = 2 + 0.5 = 2.5; buf = 2.5; θ = 1 − 0.25
    expect(buf[0]).toBeCloseTo(2.5, 12);
    expect(theta[0]).toBeCloseTo(0.75, 12);
    sgdRef(theta, [-1], buf, h); // g = −1 + 0.375; buf = 2.25 − 0.625 = 1.625; θ = 0.75 − 0.1625
    expect(buf[0]).toBeCloseTo(1.625, 12);
    expect(theta[0]).toBeCloseTo(0.5875, 12);
  });

  it('four steps on tensors of awkward sizes with the cosine schedule match torch.optim.SGD semantics', async () => {
    const ctx = gpu();
    const rng = new Rng(11);
    const sizes = [1, 7, 257, 1031];
    const h = { ...SGD_PARTSEG, weightDecay: 1e-2 };
    const host = sizes.map((n) => ({
      theta: Float64Array.from(rng.normalArray(n)),
      buf: new Float64Array(n),
    }));
    const slots: SgdSlot[] = sizes.map((n, i) => ({
      name: `t${i}`,
      n,
      param: createBufferFrom(ctx, Float32Array.from(host[i]!.theta)),
      grad: createBufferFrom(ctx, new Float32Array(n)),
      buf: createBufferFrom(ctx, new Float32Array(n)),
    }));
    const op = await planSgd(ctx, slots, h);
    const steps = 4;
    for (let t = 0; t < steps; t++) {
      const lr = cosineLr(h.lr, t, steps, 1e-3);
      for (const [i, n] of sizes.entries()) {
        const g = rng.normalArray(n);
        ctx.device.queue.writeBuffer(slots[i]!.grad, 0, g);
        sgdRef(host[i]!.theta, g, host[i]!.buf, { ...h, lr });
      }
      op.setLr(lr);
      await submitAndWait(ctx, (enc) => op.encode(enc));
    }
    for (const [i, n] of sizes.entries()) {
      expectClose(await readF32(ctx, slots[i]!.param, n), host[i]!.theta, 1e-6, 1e-5, `θ of t${i}`);
      expectClose(await readF32(ctx, slots[i]!.buf, n), host[i]!.buf, 1e-6, 1e-5, `buf of t${i}`);
    }
    expect([...(await readU32(ctx, op.flags, sizes.length + 1))]).toEqual([0, 0, 0, 0, 0]);
    op.destroy();
  });

  it('a non-finite gradient flags its tensor and leaves every parameter and buffer unchanged', async () => {
    const ctx = gpu();
    const rng = new Rng(12);
    const mk = (n: number, name: string, g: Float32Array): SgdSlot => ({
      name,
      n,
      param: createBufferFrom(ctx, rng.normalArray(n)),
      grad: createBufferFrom(ctx, g),
      buf: createBufferFrom(ctx, rng.normalArray(n)),
    });
    const bad = rng.normalArray(300);
    bad[123] = Number.NaN;
    const slots = [mk(10, 'ok', rng.normalArray(10)), mk(300, 'nan', bad)];
    const before = await Promise.all(slots.map((s) => readF32(ctx, s.param, s.n)));
    const bufBefore = await Promise.all(slots.map((s) => readF32(ctx, s.buf, s.n)));
    const op = await planSgd(ctx, slots);
    await submitAndWait(ctx, (enc) => op.encode(enc));
    expect([...(await readU32(ctx, op.flags, 3))]).toEqual([0, 1, 1]);
    for (const [i, s] of slots.entries()) {
      expectClose(await readF32(ctx, s.param, s.n), before[i]!, 0, 0, `${s.name} θ unchanged`);
      expectClose(await readF32(ctx, s.buf, s.n), bufBefore[i]!, 0, 0, `${s.name} buf unchanged`);
    }
    op.destroy();
  });
});
