import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, readF32, readU32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type PoolShape, planPool } from './pooling';
import { poolBackwardRef, poolForwardRef } from './pooling.ref';

const gpu = setupGpu();

function outLen(s: PoolShape) {
  return s.B * s.C * (s.mode === 'maxmean' ? 2 : 1);
}

async function runGpu(s: PoolShape, x: Float32Array, dout: Float32Array, dx0: Float32Array) {
  const ctx = gpu();
  const bufs = {
    x: createBufferFrom(ctx, x),
    out: createBufferFrom(ctx, new Float32Array(outLen(s))),
    dout: createBufferFrom(ctx, dout),
    dx: createBufferFrom(ctx, dx0),
  };
  const op = await planPool(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc);
    op.encodeBackward(enc);
  });
  const out = await readF32(ctx, bufs.out, outLen(s));
  const arg = s.mode === 'mean' ? undefined : await readU32(ctx, op.arg, s.B * s.C);
  const dx = await readF32(ctx, bufs.dx, x.length);
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return { out, arg, dx };
}

async function check(s: PoolShape, seed: number, x?: Float32Array) {
  const rng = new Rng(seed);
  const xs = x ?? rng.uniformArray(s.B * s.C * s.N, -2, 2);
  const dout = rng.uniformArray(outLen(s));
  const dx0 = rng.uniformArray(xs.length);
  const got = await runGpu(s, xs, dout, dx0);
  const ref = poolForwardRef(s, xs);
  expectClose(got.out, ref.out, 1e-6, 2e-6, `pool ${s.mode} forward`);
  if (got.arg) expect([...got.arg]).toEqual([...ref.arg]);
  const want = poolBackwardRef(s, ref.arg, dout, s.accumulate ? dx0 : undefined);
  expectClose(got.dx, want, 1e-7, 1e-6, `pool ${s.mode} backward`);
  return got;
}

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
    await check(s, 60 + i);
  });

  it('gives exact ties to the first index (within a lane, across lanes, constant rows)', async () => {
    const s: PoolShape = { B: 1, C: 4, N: 200, mode: 'maxmean' };
    const x = new Rng(1).uniformArray(s.C * s.N, -1, 1);
    const row = (c: number) => c * s.N;
    x[row(0) + 64] = 5; // lane 0 sees 64 before lane 1's 1: the tree must still pick 1
    x[row(0) + 1] = 5;
    x[row(0) + 130] = 5;
    x[row(1) + 199] = 3; // ties in one lane (63, 127, 191 are all lane 63)
    x[row(1) + 191] = 3;
    x[row(1) + 127] = 3;
    x.fill(-0.25, row(2), row(3)); // constant row: index 0
    x[row(3) + 150] = 2;
    const got = await check(s, 2, x);
    expect([...got.arg!]).toEqual([1, 127, 0, 150]);
  });

  it('backward matches central differences of the reference', () => {
    for (const mode of ['maxmean', 'mean', 'max'] as const) {
      const s: PoolShape = { B: 2, C: 3, N: 11, mode };
      const rng = new Rng(9);
      const x = Float64Array.from(rng.uniformArray(s.B * s.C * s.N));
      const dout = rng.uniformArray(outLen(s));
      const loss = () => poolForwardRef(s, x).out.reduce((a, v, i) => a + v * dout[i]!, 0);
      const dx = poolBackwardRef(s, poolForwardRef(s, x).arg, dout);
      const idx = sampleIndices(x.length, 30, 3);
      expectClose(
        idx.map((i) => centralDiff(loss, x, i, 1e-5)),
        idx.map((i) => dx[i]!),
        1e-7,
        1e-6,
        `${mode} dx vs finite differences`,
      );
    }
  });

  it('is bit-identical on rerun', async () => {
    const s: PoolShape = { B: 2, C: 33, N: 777, mode: 'maxmean' };
    const rng = new Rng(4);
    const x = rng.uniformArray(s.B * s.C * s.N);
    const dout = rng.uniformArray(outLen(s));
    const dx0 = new Float32Array(x.length);
    const a = await runGpu(s, x, dout, dx0);
    const b = await runGpu(s, x, dout, dx0);
    expect(Buffer.from(a.out.buffer).equals(Buffer.from(b.out.buffer))).toBe(true);
    expect(Buffer.from(a.dx.buffer).equals(Buffer.from(b.dx.buffer))).toBe(true);
  });
});
