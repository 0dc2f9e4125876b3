import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, sameBits } from '../../test/op-check';
import { Rng } from '../util/random';
import { type PoolOp, type PoolShape, planPooling } from './pooling';
import { poolBackwardRef, poolForwardRef } from './pooling.ref';

const gpu = setupGpu();

function outLen(s: PoolShape) {
  return s.B * s.C * (s.mode === 'maxmean' ? 2 : 1);
}

const pool: OpSpec<PoolShape, PoolOp> = {
  name: 'pool',
  data: (s, rng) => ({
    x: rng.uniformArray(s.B * s.C * s.N, -2, 2), // [B, C, N]
    out: new Float32Array(outLen(s)), // [B, 2C | C]
    dout: rng.uniformArray(outLen(s)),
    dx: rng.uniformArray(s.B * s.C * s.N), // base the accumulating backward adds into
  }),
  plan: (ctx, s, b) => planPooling(ctx, s, { x: b.x!, out: b.out!, dout: b.dout, dx: b.dx }),
  owned: (op, s) => (s.mode === 'mean' ? {} : { arg: { buffer: op.arg, type: 'u32', count: s.B * s.C } }),
  forward: {
    ref(s, d) {
      const r = poolForwardRef(s, d.x!);
      return s.mode === 'mean' ? { out: r.out } : { out: r.out, arg: r.arg };
    },
    tol: [1e-6, 2e-6],
  },
  backward: {
    ref: (s, d) => ({
      dx: poolBackwardRef(s, poolForwardRef(s, d.x!).arg, d.dout!, s.accumulate ? d.dx : undefined),
    }),
    tol: [1e-7, 1e-6],
  },
  gradients: { cotangents: { out: 'dout' }, inputs: { x: 'dx' }, eps: 1e-5, samples: 30, tol: [1e-7, 1e-6] },
};

describe('pooling (shaders/pooling.wgsl)', () => {
  const cases: PoolShape[] = [
    { B: 1, C: 1, N: 1, mode: 'maxmean' },
    { B: 3, C: 5, N: 1031, mode: 'maxmean' },
    { B: 2, C: 1024, N: 37, mode: 'maxmean', accumulate: true },
    { B: 2, C: 7, N: 2048, mode: 'maxmean' },
    { B: 3, C: 64, N: 49, mode: 'mean' },
    { B: 5, C: 2048, N: 1, mode: 'mean' },
    { B: 2, C: 3, N: 100, mode: 'max', accumulate: true },
    { B: 2, C: 3, N: 3, mode: 'max' },
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_n, s, i) => {
    await checkOp(gpu(), pool, s, { seed: 60 + i });
  });

  it('gives exact ties to the first index (within a lane, across lanes, constant rows)', async () => {
    const s: PoolShape = { B: 1, C: 4, N: 200, mode: 'maxmean' };
    const data = pool.data(s, new Rng(2));
    const x = data.x!;
    const row = (c: number) => c * s.N;
    x[row(0) + 64] = 5; // lane 0 sees 64 before lane 1's 1: the tree must still pick 1
    x[row(0) + 1] = 5;
    x[row(0) + 130] = 5;
    x[row(1) + 199] = 3; // ties in one lane (63, 127, 191 are all lane 63)
    x[row(1) + 191] = 3;
    x[row(1) + 127] = 3;
    x.fill(-0.25, row(2), row(3)); // constant row: index 0
    x[row(3) + 150] = 2;
    const got = await checkOp(gpu(), pool, s, { data });
    expect([...got.forward.arg!]).toEqual([1, 127, 0, 150]);
  });

  it.each(['maxmean', 'mean', 'max'] as const)(
    '%s backward matches central differences of the reference',
    (mode) => {
      expect(checkGradients(pool, { B: 2, C: 3, N: 11, mode }, 9)).toBe(30);
    },
  );

  it('is bit-identical on rerun', async () => {
    const s: PoolShape = { B: 2, C: 33, N: 777, mode: 'maxmean' };
    const a = await checkOp(gpu(), pool, s, { seed: 4 });
    const b = await checkOp(gpu(), pool, s, { seed: 4 });
    expect(sameBits(a.forward.out!, b.forward.out!)).toBe(true);
    expect(sameBits(a.backward.dx!, b.backward.dx!)).toBe(true);
  });
});
