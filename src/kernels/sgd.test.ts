import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type HostBuffers, type OpSpec, withBuffers } from '../../test/op-check';
import { readU32, submitAndWait, writeBuffer } from '../gpu/buffers';
import { cosineLr } from '../train/schedule';
import { Rng } from '../util/random';
import { type SgdOp, type SgdSlot, planSgd } from './sgd';
import { SGD_PARTSEG, type SgdHyper } from './sgd-hyper';
import { sgdRef } from './sgd.ref';

const gpu = setupGpu();

/** The tensors' buffers: param, grad and momentum buffer of tensor i are `param${i}`, `grad${i}`, `buf${i}`. */
function slotsOf(sizes: readonly number[], b: Record<string, GPUBuffer>): SgdSlot[] {
  return sizes.map((n, i) => ({
    name: `t${i}`,
    n,
    param: b[`param${i}`]!,
    grad: b[`grad${i}`]!,
    buf: b[`buf${i}`]!,
  }));
}

function tensors(
  sizes: readonly number[],
  rng: Rng,
  grad: (n: number) => Float32Array,
  buf: (n: number) => Float32Array,
) {
  const d: HostBuffers = {};
  for (const [i, n] of sizes.entries()) {
    d[`param${i}`] = rng.normalArray(n);
    d[`grad${i}`] = grad(n);
    d[`buf${i}`] = buf(n);
  }
  return d;
}

interface Steps {
  sizes: number[];
  steps: number;
  h: SgdHyper;
}

/** `steps` SGD steps with the cosine schedule: each uploads that step's gradients (`g${i}_${t}`) and lr. */
const sgdSteps: OpSpec<Steps, SgdOp> = {
  name: 'sgd',
  data(s, rng) {
    const d = tensors(
      s.sizes,
      rng,
      (n) => new Float32Array(n),
      (n) => new Float32Array(n),
    );
    for (let t = 0; t < s.steps; t++)
      for (const [i, n] of s.sizes.entries()) d[`g${i}_${t}`] = rng.normalArray(n);
    return d;
  },
  plan: (ctx, s, b) => planSgd(ctx, slotsOf(s.sizes, b), s.h),
  owned: (op, s) => ({ flags: { buffer: op.flags, type: 'u32', count: s.sizes.length + 1 } }),
  forward: {
    async run(op, ctx, b, d, s) {
      for (let t = 0; t < s.steps; t++) {
        for (const i of s.sizes.keys()) writeBuffer(ctx, b[`grad${i}`]!, d[`g${i}_${t}`]!);
        op.setLr(cosineLr(s.h.lr, t, s.steps, 1e-3));
        await submitAndWait(ctx, (enc) => op.encode(enc));
      }
    },
    ref(s, d) {
      const out: Record<string, Float64Array | Uint32Array> = { flags: new Uint32Array(s.sizes.length + 1) };
      for (const [i, n] of s.sizes.entries()) {
        const theta = Float64Array.from(d[`param${i}`]!);
        const buf = new Float64Array(n);
        for (let t = 0; t < s.steps; t++)
          sgdRef(theta, d[`g${i}_${t}`]!, buf, { ...s.h, lr: cosineLr(s.h.lr, t, s.steps, 1e-3) });
        out[`param${i}`] = theta;
        out[`buf${i}`] = buf;
      }
      return out;
    },
    tol: [1e-6, 1e-5],
  },
};

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
    const h = { ...SGD_PARTSEG, weightDecay: 1e-2 };
    await checkOp(gpu(), sgdSteps, { sizes: [1, 7, 257, 1031], steps: 4, h }, { seed: 11 });
  });

  it('a non-finite gradient flags its tensor and leaves every parameter and buffer unchanged', async () => {
    const ctx = gpu();
    const rng = new Rng(12);
    const data = tensors(
      [10, 300],
      rng,
      (n) => rng.normalArray(n),
      (n) => rng.normalArray(n),
    );
    data.grad1![123] = Number.NaN;
    await withBuffers(ctx, data, async (b, read) => {
      const op = await planSgd(ctx, slotsOf([10, 300], b));
      try {
        await submitAndWait(ctx, (enc) => op.encode(enc));
        expect([...(await readU32(ctx, op.flags, 3))]).toEqual([0, 1, 1]);
        for (const name of ['param0', 'buf0', 'param1', 'buf1'])
          expect([...(await read(name))], `${name} unchanged`).toEqual([...data[name]!]);
      } finally {
        op.destroy();
      }
    });
  });
});
