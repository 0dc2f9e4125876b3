import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type BatchNormMode, type BatchNormShape, batchNormLayout, planBatchNorm } from './batchnorm';
import { batchNormBackwardRef, batchNormForwardRef } from './batchnorm.ref';

const gpu = setupGpu();

interface Inputs {
  x: Float32Array;
  dy: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  rm: Float32Array;
  rv: Float32Array;
  dx0: Float32Array;
  dg0: Float32Array;
  db0: Float32Array;
}

function inputs(s: BatchNormShape, seed: number, offset = 0, std = 1): Inputs {
  const rng = new Rng(seed);
  const len = s.B * s.C * s.L;
  const x = rng.normalArray(len, std);
  // Per-channel shifts and scales so channels differ, plus a common offset.
  const shift = rng.uniformArray(s.C, -2, 2);
  for (let i = 0; i < len; i++) {
    const c = Math.floor(i / s.L) % s.C;
    x[i] = offset + shift[c]! + x[i]! * (1 + 0.5 * Math.abs(shift[c]!));
  }
  return {
    x,
    dy: rng.uniformArray(len),
    gamma: rng.uniformArray(s.C, 0.5, 1.5),
    beta: rng.uniformArray(s.C),
    rm: rng.uniformArray(s.C, -0.5, 0.5),
    rv: rng.uniformArray(s.C, 0.5, 2),
    dx0: rng.uniformArray(len),
    dg0: rng.uniformArray(s.C),
    db0: rng.uniformArray(s.C),
  };
}

async function runGpu(s: BatchNormShape, inp: Inputs, mode: BatchNormMode) {
  const ctx = gpu();
  const len = s.B * s.C * s.L;
  const bufs = {
    x: createBufferFrom(ctx, inp.x),
    y: createBufferFrom(ctx, new Float32Array(len)),
    gamma: createBufferFrom(ctx, inp.gamma),
    beta: createBufferFrom(ctx, inp.beta),
    runningMean: createBufferFrom(ctx, inp.rm),
    runningVar: createBufferFrom(ctx, inp.rv),
    dy: createBufferFrom(ctx, inp.dy),
    dx: createBufferFrom(ctx, inp.dx0),
    dgamma: createBufferFrom(ctx, inp.dg0),
    dbeta: createBufferFrom(ctx, inp.db0),
  };
  const op = await planBatchNorm(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc, mode);
    op.encodeBackward(enc);
  });
  const r = {
    y: await readF32(ctx, bufs.y, len),
    mean: await readF32(ctx, op.saveMean, s.C),
    invstd: await readF32(ctx, op.saveInvstd, s.C),
    rm: await readF32(ctx, bufs.runningMean, s.C),
    rv: await readF32(ctx, bufs.runningVar, s.C),
    dx: await readF32(ctx, bufs.dx, len),
    dgamma: await readF32(ctx, bufs.dgamma, s.C),
    dbeta: await readF32(ctx, bufs.dbeta, s.C),
  };
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return r;
}

async function check(s: BatchNormShape, mode: BatchNormMode, seed: number, offset = 0, std = 1, tol = 1) {
  const inp = inputs(s, seed, offset, std);
  const got = await runGpu(s, inp, mode);
  const f = batchNormForwardRef(s, inp.x, inp.gamma, inp.beta, inp.rm, inp.rv, mode);
  const what = `${mode} ${JSON.stringify(s)}`;
  expectClose(got.mean, f.mean, 2e-6 * tol * (1 + Math.abs(offset)), 1e-6, `${what} mean`);
  expectClose(got.invstd, f.invstd, 0, 2e-5 * tol, `${what} invstd`);
  expectClose(got.y, f.y, 2e-5 * tol, 1e-5, `${what} y`);
  expectClose(got.rm, f.runningMean, 2e-6 * tol * (1 + Math.abs(offset)), 1e-6, `${what} running_mean`);
  expectClose(got.rv, f.runningVar, 1e-6, 2e-5 * tol, `${what} running_var`);
  const acc = s.accumulate ? inp.dx0 : undefined;
  const accP = s.accumulateParams;
  const g = batchNormBackwardRef(s, inp.x, inp.dy, inp.gamma, f.mean, f.invstd, mode, {
    dx: acc,
    dgamma: accP ? inp.dg0 : undefined,
    dbeta: accP ? inp.db0 : undefined,
  });
  const n = s.B * s.L;
  expectClose(got.dbeta, g.dbeta, 1e-5 * Math.sqrt(n), 1e-5, `${what} dbeta`);
  expectClose(got.dgamma, g.dgamma, 2e-5 * tol * Math.sqrt(n), 1e-5, `${what} dgamma`);
  expectClose(got.dx, g.dx, 5e-5 * tol, 1e-4, `${what} dx`);
  return got;
}

describe('batchnorm (shaders/batchnorm.wgsl)', () => {
  const train: BatchNormShape[] = [
    { B: 2, C: 1, L: 1 },
    { B: 3, C: 1024, L: 1 },
    { B: 16, C: 1024, L: 1 },
    { B: 70, C: 11, L: 3, accumulate: true }, // columns layout, 2 row chunks
    { B: 5, C: 37, L: 7 },
    { B: 4, C: 6, L: 32, accumulateParams: true }, // the smallest L walked along rows
    { B: 3, C: 5, L: 1031 },
    { B: 2, C: 3, L: 70001, accumulate: true, accumulateParams: true }, // 35 chunks per channel
  ];
  it.each(train.map((s, i) => [JSON.stringify(s), s, i] as const))('train %s', async (_n, s, i) => {
    await check(s, 'train', 10 + i);
  });

  const evalCases: BatchNormShape[] = [
    { B: 1, C: 1, L: 1 },
    { B: 3, C: 1024, L: 1, accumulate: true },
    { B: 3, C: 5, L: 1031, accumulateParams: true },
  ];
  it.each(evalCases.map((s, i) => [JSON.stringify(s), s, i] as const))('eval %s', async (_n, s, i) => {
    await check(s, 'eval', 30 + i);
  });

  it('keeps the variance accurate when |mean| ≫ std (offset 1000, std 0.5)', async () => {
    // E[x²] − E[x]² in float32 would lose the variance entirely here; shifted sums keep it.
    const rows = await check({ B: 3, C: 4, L: 1031 }, 'train', 5, 1000, 0.5, 20);
    const cols = await check({ B: 200, C: 9, L: 1 }, 'train', 6, 1000, 0.5, 20);
    expect(rows.invstd.every((v) => v < 2.1)).toBe(true);
    expect(cols.invstd.every((v) => v < 2.1)).toBe(true);
  });

  it('updates the running variance with the unbiased variance (x = [1, 3])', async () => {
    const s = { B: 2, C: 1, L: 1 };
    const inp = inputs(s, 1);
    inp.x.set([1, 3]);
    inp.rm.set([0]);
    inp.rv.set([1]);
    const got = await runGpu(s, inp, 'train');
    expect(got.mean[0]).toBe(2);
    expect(got.invstd[0]).toBeCloseTo(1 / Math.sqrt(1 + 1e-5), 6); // biased variance 1
    expect(got.rm[0]).toBeCloseTo(0.2, 6);
    expect(got.rv[0]).toBeCloseTo(0.9 + 0.1 * 2, 6); // unbiased variance 2
  });

  it('refuses training mode with one value per channel, allows eval', async () => {
    const ctx = gpu();
    const s = { B: 1, C: 3, L: 1 };
    const inp = inputs(s, 2);
    const bufs = {
      x: createBufferFrom(ctx, inp.x),
      y: createBufferFrom(ctx, inp.x),
      gamma: createBufferFrom(ctx, inp.gamma),
      beta: createBufferFrom(ctx, inp.beta),
      runningMean: createBufferFrom(ctx, inp.rm),
      runningVar: createBufferFrom(ctx, inp.rv),
    };
    const op = await planBatchNorm(ctx, s, bufs);
    const enc = ctx.device.createCommandEncoder();
    expect(() => op.encodeForward(enc, 'train')).toThrow(/more than 1 value per channel/);
    op.encodeForward(enc, 'eval');
    ctx.device.queue.submit([enc.finish()]);
    const y = await readF32(ctx, bufs.y, 3);
    const want = batchNormForwardRef(s, inp.x, inp.gamma, inp.beta, inp.rm, inp.rv, 'eval').y;
    expectClose(y, want, 1e-5, 1e-5, 'eval B = 1');
    op.destroy();
    for (const b of Object.values(bufs)) b.destroy();
  });

  it('backward matches central differences of the reference (train and eval)', () => {
    for (const [s, mode] of [
      [{ B: 3, C: 2, L: 5 }, 'train'],
      [{ B: 4, C: 3, L: 1 }, 'train'],
      [{ B: 2, C: 2, L: 3 }, 'eval'],
    ] as const) {
      const inp = inputs(s, 3);
      const x = Float64Array.from(inp.x);
      const gamma = Float64Array.from(inp.gamma);
      const beta = Float64Array.from(inp.beta);
      const loss = () =>
        batchNormForwardRef(s, x, gamma, beta, inp.rm, inp.rv, mode).y.reduce(
          (a, v, i) => a + v * inp.dy[i]!,
          0,
        );
      const f = batchNormForwardRef(s, x, gamma, beta, inp.rm, inp.rv, mode);
      const g = batchNormBackwardRef(s, x, inp.dy, gamma, f.mean, f.invstd, mode);
      const ix = sampleIndices(x.length, 12, 7);
      const fd = (arr: Float64Array, idx: number[]) => idx.map((i) => centralDiff(loss, arr, i, 1e-5));
      expectClose(
        fd(x, ix),
        ix.map((i) => g.dx[i]!),
        1e-7,
        1e-5,
        `${mode} dx vs finite differences`,
      );
      const ic = [...Array(s.C).keys()];
      expectClose(fd(gamma, ic), g.dgamma, 1e-7, 1e-5, `${mode} dgamma vs finite differences`);
      expectClose(fd(beta, ic), g.dbeta, 1e-7, 1e-5, `${mode} dbeta vs finite differences`);
    }
  });

  it('is bit-identical on rerun (both layouts, several chunks)', async () => {
    for (const s of [
      { B: 2, C: 3, L: 20011 },
      { B: 130, C: 65, L: 2 },
    ]) {
      const lay = batchNormLayout(s);
      expect(lay.G).toBeGreaterThan(1);
      const inp = inputs(s, 8);
      const a = await runGpu(s, inp, 'train');
      const b = await runGpu(s, inp, 'train');
      for (const k of ['y', 'rv', 'dx', 'dgamma', 'dbeta'] as const) {
        expect(
          Buffer.from(a[k].buffer).equals(Buffer.from(b[k].buffer)),
          `${k} of ${JSON.stringify(s)}`,
        ).toBe(true);
      }
    }
  });
});
