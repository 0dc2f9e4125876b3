import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type HostBuffers, type OpSpec, withBuffers } from '../../test/op-check';
import { readU32, submitAndWait, writeBuffer } from '../gpu/buffers';
import { Rng } from '../util/random';
import { expectClose } from '../../test/numeric';
import { cosineLr } from '../train/schedule';
import { type AdamOp, type AdamSlot, planAdam } from './adam';
import { type AdamHyper, adamRef } from './adam.ref';

const gpu = setupGpu();

interface Steps {
  /** Element counts of the tensors. */
  sizes: number[];
  steps: number;
  h: AdamHyper;
}

/** The tensors' buffers: param, grad, m, v of tensor i are `param${i}` … (all [n] f32). */
function slotsOf(sizes: readonly number[], b: Record<string, GPUBuffer>): AdamSlot[] {
  return sizes.map((n, i) => ({
    name: `t${i}`,
    n,
    param: b[`param${i}`]!,
    grad: b[`grad${i}`]!,
    m: b[`m${i}`]!,
    v: b[`v${i}`]!,
  }));
}

function tensors(
  sizes: readonly number[],
  param: (n: number) => Float32Array,
  grad: (n: number) => Float32Array,
): HostBuffers {
  const d: HostBuffers = {};
  sizes.forEach((n, i) => {
    d[`param${i}`] = param(n);
    d[`grad${i}`] = grad(n);
    d[`m${i}`] = new Float32Array(n);
    d[`v${i}`] = new Float32Array(n);
  });
  return d;
}

/**
 * `steps` Adam steps with a cosine learning rate: each step uploads that step's gradients
 * (`g${i}_${t}`, drawn in data()) and its (t, lr), as the trainer does.
 */
const adamSteps: OpSpec<Steps, AdamOp> = {
  name: 'adam',
  data(s, rng) {
    const d = tensors(
      s.sizes,
      (n) => rng.normalArray(n),
      (n) => new Float32Array(n),
    );
    for (let t = 1; t <= s.steps; t++) {
      for (const [i, n] of s.sizes.entries()) d[`g${i}_${t}`] = rng.normalArray(n);
    }
    return d;
  },
  plan: (ctx, s, b) => {
    const { lr: _lr, ...fixed } = s.h;
    return planAdam(ctx, slotsOf(s.sizes, b), fixed);
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
      const out: Record<string, Float64Array | Uint32Array> = { flags: new Uint32Array(s.sizes.length + 1) };
      s.sizes.forEach((n, i) => {
        const theta = Float64Array.from(d[`param${i}`]!);
        const m = new Float64Array(n);
        const v = new Float64Array(n);
        for (let t = 1; t <= s.steps; t++)
          adamRef(theta, d[`g${i}_${t}`]!, m, v, t, { ...s.h, lr: cosineLr(s.h.lr, t - 1, s.steps) });
        Object.assign(out, { [`param${i}`]: theta, [`m${i}`]: m, [`v${i}`]: v });
      });
      return out;
    },
    tol: (_s, b) => (b.startsWith('v') ? [1e-7, 1e-5] : [1e-6, 1e-5]),
  },
};

describe('Adam (shaders/adam.wgsl)', () => {
  it('three steps on tensors of awkward sizes match torch.optim.Adam semantics', async () => {
    const h: AdamHyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2 };
    await checkOp(gpu(), adamSteps, { sizes: [1, 7, 257, 1031], steps: 3, h }, { seed: 3 });
  });

  it('a non-finite gradient in one tensor flags that tensor and leaves every parameter unchanged', async () => {
    const ctx = gpu();
    const sizes = [10, 300, 5];
    const rng = new Rng(4);
    const data = tensors(
      sizes,
      (n) => rng.normalArray(n),
      (n) => rng.normalArray(n),
    );
    data.grad1![299] = Number.POSITIVE_INFINITY;
    data.grad2![0] = Number.NaN;
    await withBuffers(ctx, data, async (b, read) => {
      const op = await planAdam(ctx, slotsOf(sizes, b));
      try {
        op.setStep(1, 1e-3);
        await submitAndWait(ctx, (enc) => op.encode(enc));
        expect([...(await readU32(ctx, op.flags, 4))]).toEqual([0, 1, 1, 1]);
        for (const i of [0, 1, 2])
          expectClose(await read(`param${i}`), data[`param${i}`]!, 0, 0, `t${i} unchanged`);
        // Flags are cleared by the next step: with finite gradients the update goes through.
        writeBuffer(ctx, b.grad1!, rng.normalArray(300));
        writeBuffer(ctx, b.grad2!, rng.normalArray(5));
        await submitAndWait(ctx, (enc) => op.encode(enc));
        expect([...(await readU32(ctx, op.flags, 4))]).toEqual([0, 0, 0, 0]);
        const after = await read('param0');
        expect(after.some((x, i) => x !== data.param0![i])).toBe(true);
      } finally {
        op.destroy();
      }
    });
  });

  it('takes its learning rate only from setStep: encoding before the first setStep is refused', async () => {
    const ctx = gpu();
    const zeros = (n: number) => new Float32Array(n);
    await withBuffers(ctx, tensors([3], zeros, zeros), async (b) => {
      const op = await planAdam(ctx, slotsOf([3], b));
      const enc = ctx.device.createCommandEncoder();
      expect(() => op.encode(enc)).toThrow(/setStep\(t, lr\) before encoding/);
      enc.finish();
      op.destroy();
    });
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
