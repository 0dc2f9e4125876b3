import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test/numeric';
import { checkOp, type HostBuffers, type OpSpec, sameBits, withBuffers } from '../../test/op-check';
import { setupGpu } from '../../test/gpu';
import { readF32, readU32, submitAndWait, writeBuffer } from '../gpu/buffers';
import { cosineLr } from '../train/schedule';
import { Rng } from '../util/random';
import { type AdamSlot, planAdam } from './adam';
import type { AdamHyper } from './adam.ref';
import {
  ADAM_CHECK_SLOTS,
  ADAM_STEP_SLOTS,
  type AdamMultiOp,
  adamMomentsLayout,
  planAdamMulti,
} from './adam_multi';
import { adamMultiRef } from './adam_multi.ref';

const gpu = setupGpu();

interface Steps {
  sizes: number[];
  steps: number;
  h: AdamHyper;
}

/** param${i}, grad${i} per tensor and the packed moments [2·total] (zero: a fresh optimiser). */
function tensorData(sizes: readonly number[], rng: Rng): HostBuffers {
  const d: HostBuffers = {};
  sizes.forEach((n, i) => {
    d[`param${i}`] = rng.normalArray(n);
    d[`grad${i}`] = new Float32Array(n);
  });
  d.moments = new Float32Array(2 * adamMomentsLayout(sizes).total);
  return d;
}

const tensorsOf = (sizes: readonly number[], b: Record<string, GPUBuffer>) =>
  sizes.map((n, i) => ({ name: `t${i}`, n, param: b[`param${i}`]!, grad: b[`grad${i}`]! }));

/** `steps` steps with a cosine learning rate, each with its own gradients (g${i}_${t}), as the trainer runs them. */
const adamMultiSteps: OpSpec<Steps, AdamMultiOp> = {
  name: 'adam_multi',
  data(s, rng) {
    const d = tensorData(s.sizes, rng);
    for (let t = 1; t <= s.steps; t++)
      for (const [i, n] of s.sizes.entries()) d[`g${i}_${t}`] = rng.normalArray(n);
    return d;
  },
  plan: (ctx, s, b) => {
    const { lr: _lr, ...fixed } = s.h;
    return planAdamMulti(ctx, tensorsOf(s.sizes, b), b.moments!, fixed);
  },
  owned: (op, s) => ({ flags: { buffer: op.flags, type: 'u32', count: s.sizes.length + 1 } }),
  forward: {
    async run(op, ctx, b, d, s) {
      for (let t = 1; t <= s.steps; t++) {
        for (const i of s.sizes.keys()) writeBuffer(ctx, b[`grad${i}`]!, d[`g${i}_${t}`]!);
        op.setStep(t, cosineLr(s.h.lr, t - 1, s.steps));
        await submitAndWait(ctx, (enc) => op.encode(enc));
      }
    },
    ref(s, d) {
      const thetas = s.sizes.map((_, i) => Float64Array.from(d[`param${i}`]!));
      const moments = new Float64Array(d.moments!.length);
      let flags: ArrayLike<number> = new Uint32Array(s.sizes.length + 1);
      for (let t = 1; t <= s.steps; t++) {
        const grads = s.sizes.map((_, i) => d[`g${i}_${t}`]!);
        flags = adamMultiRef(thetas, grads, moments, t, { ...s.h, lr: cosineLr(s.h.lr, t - 1, s.steps) });
      }
      const out: Record<string, ArrayLike<number>> = { flags, moments };
      thetas.forEach((th, i) => {
        out[`param${i}`] = th;
      });
      return out;
    },
    // v holds squares of O(1) gradients; m and θ move by O(lr) per step.
    tol: [1e-6, 1e-5],
  },
};

/** The same steps through the per-tensor path (planAdam) and the multi-tensor one; returns both results. */
async function bothPaths(sizes: number[], steps: number, h: AdamHyper, seed: number) {
  const ctx = gpu();
  const rng = new Rng(seed);
  const data = tensorData(sizes, rng);
  const grads = Array.from({ length: steps }, () => sizes.map((n) => rng.normalArray(n)));
  const zeros = Object.fromEntries(
    sizes.flatMap((n, i) => [
      [`m${i}`, new Float32Array(n)],
      [`v${i}`, new Float32Array(n)],
    ]),
  );
  const { lr: _lr, ...fixed } = h;
  return withBuffers(ctx, { ...data, ...zeros }, async (b, read) => {
    const single = await withBuffers(ctx, data, async (b1, read1) => {
      const slots: AdamSlot[] = tensorsOf(sizes, b1).map((t, i) => ({
        ...t,
        m: b[`m${i}`]!,
        v: b[`v${i}`]!,
      }));
      const op = await planAdam(ctx, slots, fixed);
      for (let t = 1; t <= steps; t++) {
        for (const i of sizes.keys()) writeBuffer(ctx, b1[`grad${i}`]!, grads[t - 1]![i]!);
        op.setStep(t, cosineLr(h.lr, t - 1, steps));
        await submitAndWait(ctx, (enc) => op.encode(enc));
      }
      op.destroy();
      return Promise.all(sizes.map((_, i) => read1(`param${i}`)));
    });
    const op = await planAdamMulti(ctx, tensorsOf(sizes, b), b.moments!, fixed);
    for (let t = 1; t <= steps; t++) {
      for (const i of sizes.keys()) writeBuffer(ctx, b[`grad${i}`]!, grads[t - 1]![i]!);
      op.setStep(t, cosineLr(h.lr, t - 1, steps));
      await submitAndWait(ctx, (enc) => op.encode(enc));
    }
    const multi = await Promise.all(sizes.map((_, i) => read(`param${i}`)));
    const moments = (await read('moments')) as Float32Array;
    const singleM = await Promise.all(sizes.map((_, i) => read(`m${i}`)));
    const singleV = await Promise.all(sizes.map((_, i) => read(`v${i}`)));
    op.destroy();
    return { data, single, multi, moments, singleM, singleV, layout: adamMomentsLayout(sizes) };
  });
}

describe('multi-tensor Adam (shaders/adam_multi.wgsl)', () => {
  // 9 tensors: two check passes (7 + 2) and three update passes; sizes straddle the 256-thread
  // workgroup (1, 255, 256, 257) so tensors' workgroup ranges meet at every kind of boundary.
  const sizes = [1, 7, 257, 1031, 3, 255, 256, 2, 4097];

  it('four steps on tensors of awkward sizes match torch.optim.Adam semantics (float64 reference)', async () => {
    const h: AdamHyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 };
    await checkOp(gpu(), adamMultiSteps, { sizes, steps: 4, h }, { seed: 5 });
  });

  it('gives the per-tensor path (planAdam) bit for bit: parameters and both moments, with weight decay over five steps', async () => {
    // 8 tensors: the last update pass has an unused slot.
    const h: AdamHyper = { lr: 3e-3, beta1: 0.85, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 };
    const r = await bothPaths([5, 256, 257, 1, 1000, 33, 513, 2], 5, h, 6);
    r.single.forEach((p, i) => {
      expect(sameBits(r.multi[i]!, p), `param${i}`).toBe(true);
      const o = r.layout.offsets[i]!;
      const n = p.length;
      expect(sameBits(r.moments.slice(o, o + n), r.singleM[i]!), `m${i}`).toBe(true);
      const vo = r.layout.total + o;
      expect(sameBits(r.moments.slice(vo, vo + n), r.singleV[i]!), `v${i}`).toBe(true);
    });
    // And the steps did move every tensor.
    expect(r.multi.every((p, i) => p.some((x, e) => x !== r.data[`param${i}`]![e]))).toBe(true);
  });

  it('bias correction follows the step number: step 1 moves each element by about lr, whatever the gradient scale', async () => {
    const ctx = gpu();
    const n = 300;
    const rng = new Rng(8);
    const data = tensorData([n], rng);
    const g = Float32Array.from(rng.normalArray(n), (x) => x * 1e-3);
    await withBuffers(ctx, data, async (b, read) => {
      const op = await planAdamMulti(ctx, tensorsOf([n], b), b.moments!);
      writeBuffer(ctx, b.grad0!, g);
      op.setStep(1, 0.01);
      await submitAndWait(ctx, (enc) => op.encode(enc));
      const after = (await read('param0')) as Float32Array;
      // m̂ = g, v̂ = g²: the first update is lr·g/(|g| + eps) = ±lr (|g| ≥ 1e-6 ≫ eps here).
      const moved = after.map((x, i) => data.param0![i]! - x);
      const want = Float64Array.from(g, (x) => (0.01 * x) / (Math.abs(x) + 1e-8));
      expectClose(moved, want, 2e-6, 1e-3, 'first step ±lr');
      op.destroy();
    });
  });

  it('a non-finite gradient flags its tensor and leaves every parameter and moment unchanged; the next step goes through', async () => {
    const ctx = gpu();
    const s = [10, 300, 5, 1, 2, 3, 4, 9]; // 8 tensors: the bad ones in different check passes
    const rng = new Rng(9);
    const data = tensorData(s, rng);
    s.forEach((n, i) => {
      data[`grad${i}`] = rng.normalArray(n);
    });
    data.grad1![299] = Number.POSITIVE_INFINITY;
    data.grad7![0] = Number.NaN;
    await withBuffers(ctx, data, async (b, read) => {
      const op = await planAdamMulti(ctx, tensorsOf(s, b), b.moments!);
      try {
        op.setStep(1, 1e-3);
        await submitAndWait(ctx, (enc) => op.encode(enc));
        expect([...(await readU32(ctx, op.flags, s.length + 1))]).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 1]);
        for (const i of s.keys())
          expectClose(await read(`param${i}`), data[`param${i}`]!, 0, 0, `t${i} unchanged`);
        expect((await readF32(ctx, b.moments!)).every((x) => x === 0)).toBe(true);
        writeBuffer(ctx, b.grad1!, rng.normalArray(300));
        writeBuffer(ctx, b.grad7!, rng.normalArray(9));
        await submitAndWait(ctx, (enc) => op.encode(enc));
        expect([...(await readU32(ctx, op.flags, s.length + 1))].every((f) => f === 0)).toBe(true);
        for (const i of s.keys())
          expect(
            (await read(`param${i}`)).some((x, e) => x !== data[`param${i}`]![e]),
            `t${i} moved`,
          ).toBe(true);
      } finally {
        op.destroy();
      }
    });
  });

  it('records ceil(T/7) check passes and ceil(T/3) update passes for T tensors', async () => {
    const ctx = gpu();
    const s = Array.from({ length: 22 }, (_, i) => i + 1);
    await withBuffers(ctx, tensorData(s, new Rng(10)), async (b) => {
      const op = await planAdamMulti(ctx, tensorsOf(s, b), b.moments!);
      expect(op.dispatches).toBe(Math.ceil(22 / ADAM_CHECK_SLOTS) + Math.ceil(22 / ADAM_STEP_SLOTS));
      expect(op.dispatches).toBe(12); // against 44 for the per-tensor path
      op.destroy();
    });
  });

  it('refuses a moments buffer too small for the tensors, and encoding before the first setStep', async () => {
    const ctx = gpu();
    const s = [3, 4];
    const data = tensorData(s, new Rng(11));
    data.moments = new Float32Array(13); // needs 2 × 7
    await withBuffers(ctx, data, async (b) => {
      await expect(planAdamMulti(ctx, tensorsOf(s, b), b.moments!)).rejects.toThrow(
        /moments buffer has 52 bytes, needs 56/,
      );
    });
    const ok = tensorData(s, new Rng(11));
    await withBuffers(ctx, ok, async (b) => {
      const op = await planAdamMulti(ctx, tensorsOf(s, b), b.moments!);
      const enc = ctx.device.createCommandEncoder();
      expect(() => op.encode(enc)).toThrow(/setStep\(t, lr\) before encoding/);
      enc.finish();
      op.destroy();
    });
  });
});
