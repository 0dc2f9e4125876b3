import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, sameBits } from '../../test/op-check';
import { Rng } from '../util/random';
import { type NtXentOp, type NtXentShape, planNtXent } from './ntxent';
import { ntxentRef } from './ntxent.ref';

const gpu = setupGpu();

/** The loss buffer: 4 floats, the mean loss at lossIndex (default 0). */
const lossOf = (loss: number, at = 0) => Float64Array.from({ length: 4 }, (_, i) => (i === at ? loss : 0));

/** Loss and gradient in one step (encode): the forward writes loss, da and db. */
const ntxent: OpSpec<NtXentShape, NtXentOp> = {
  name: 'ntxent',
  data: ({ B, D }, rng) => ({
    a: rng.normalArray(B * D), // [B, D]
    b: rng.normalArray(B * D), // [B, D]
    loss: new Float32Array(4),
    da: new Float32Array(B * D),
    db: new Float32Array(B * D),
  }),
  plan: (ctx, s, b) => planNtXent(ctx, s, { a: b.a!, b: b.b!, loss: b.loss!, da: b.da!, db: b.db! }),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref(s, d) {
      const r = ntxentRef(d.a!, d.b!, s.B, s.D, s.temperature);
      return { loss: lossOf(r.loss), da: r.da, db: r.db };
    },
    tol: (_s, b) => (b === 'loss' ? [5e-5, 0] : [2e-5, 2e-3]),
  },
  gradients: { cotangents: { loss: 1 }, inputs: { a: 'da', b: 'db' }, eps: 1e-6, samples: 6, tol: [5e-7, 0] },
};

/** a and b, da and db as slices of one shared buffer each, with a loss scale and accumulation. */
const shared: OpSpec<NtXentShape, NtXentOp> = {
  name: 'ntxent (shared buffers)',
  data: ({ B, D }, rng) => ({
    z: rng.normalArray(2 * B * D + 7), // a at 7, b right after
    loss: new Float32Array(4),
    g: rng.normalArray(2 * B * D + 7), // da at 7, db right after, added into
  }),
  plan: (ctx, s, b) => planNtXent(ctx, s, { a: b.z!, b: b.z!, loss: b.loss!, da: b.g!, db: b.g! }),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref(s, d) {
      const { B, D } = s;
      const z = d.z!;
      const r = ntxentRef(z.subarray(7, 7 + B * D), z.subarray(7 + B * D), B, D, s.temperature, s.scale);
      const g = Float64Array.from(d.g!); // the prefix stays untouched
      for (let i = 0; i < B * D; i++) {
        g[7 + i]! += r.da[i]!;
        g[7 + B * D + i]! += r.db[i]!;
      }
      return { loss: lossOf(r.loss, s.lossIndex), g };
    },
    tol: (_s, b) => (b === 'loss' ? [5e-5, 0] : [2e-5, 2e-3]),
  },
};

describe('NT-Xent (shaders/ntxent.wgsl)', () => {
  it.each([
    [2, 1, 0.1],
    [3, 5, 0.1],
    [7, 17, 0.5],
    [20, 256, 0.1],
  ])('B=%i D=%i τ=%f: loss and gradients match the reference', async (B, D, temperature) => {
    await checkOp(gpu(), ntxent, { B, D, temperature }, { seed: B * 31 + D });
  });

  it('the reference gradient matches central finite differences', () => {
    expect(checkGradients(ntxent, { B: 3, D: 4, temperature: 0.2 }, 5)).toBe(12);
  });

  it('perfectly aligned, well-separated pairs give a loss near zero; identical rows give log(2B−1)', async () => {
    const B = 4;
    const D = 4;
    const run = async (x: Float32Array, temperature: number) => {
      const s = { B, D, temperature };
      return (await checkOp(gpu(), ntxent, s, { data: { ...ntxent.data(s, new Rng(1)), a: x, b: x } }))
        .forward.loss![0]!;
    };
    const one = new Float32Array(B * D);
    for (let i = 0; i < B; i++) one[i * D + i] = 1; // orthogonal unit rows
    // Per anchor: the positive (its twin) has logit 20, the other 6 rows have 0.
    expect(await run(one, 0.05)).toBeCloseTo(Math.log(1 + 6 * Math.exp(-20)), 5);
    expect(await run(new Float32Array(B * D).fill(1), 0.1)).toBeCloseTo(Math.log(2 * B - 1), 4);
  });

  it('scale, accumulate and offsets: gradients land in slices of one shared buffer', async () => {
    const B = 5;
    const D = 3;
    await checkOp(
      gpu(),
      shared,
      {
        B,
        D,
        temperature: 0.1,
        scale: 0.5,
        accumulate: true,
        offsetA: 7,
        offsetB: 7 + B * D,
        offsetDA: 7,
        offsetDB: 7 + B * D,
        lossIndex: 2,
      },
      { seed: 9 },
    );
  });

  it('is deterministic: two runs give bit-identical results', async () => {
    const s = { B: 8, D: 32, temperature: 0.1 };
    const r1 = await checkOp(gpu(), ntxent, s, { seed: 77 });
    const r2 = await checkOp(gpu(), ntxent, s, { seed: 77 });
    expect(sameBits(r1.forward.loss!, r2.forward.loss!)).toBe(true);
    expect(sameBits(r1.forward.da!, r2.forward.da!)).toBe(true);
  });

  it('refuses a single pair', async () => {
    await expect(checkOp(gpu(), ntxent, { B: 1, D: 3, temperature: 0.1 })).rejects.toThrow(
      'at least 2 pairs',
    );
  });
});
