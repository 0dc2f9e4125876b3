import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { planNtXent } from './ntxent';
import { ntxentRef } from './ntxent.ref';

const gpu = setupGpu();

async function runGpu(a: Float32Array, b: Float32Array, B: number, D: number, tau: number, extra = {}) {
  const ctx = gpu();
  const bufs = {
    a: createBufferFrom(ctx, a),
    b: createBufferFrom(ctx, b),
    loss: createStorageBuffer(ctx, 16),
    da: createStorageBuffer(ctx, B * D * 4),
    db: createStorageBuffer(ctx, B * D * 4),
  };
  const op = await planNtXent(ctx, { B, D, temperature: tau, ...extra }, bufs);
  await submitAndWait(ctx, (enc) => op.encode(enc));
  const out = {
    loss: (await readF32(ctx, bufs.loss, 1))[0]!,
    da: await readF32(ctx, bufs.da, B * D),
    db: await readF32(ctx, bufs.db, B * D),
  };
  op.destroy();
  for (const x of Object.values(bufs)) x.destroy();
  return out;
}

describe('NT-Xent (shaders/ntxent.wgsl)', () => {
  it.each([
    [2, 1, 0.1],
    [3, 5, 0.1],
    [7, 17, 0.5],
    [20, 256, 0.1],
  ])('B=%i D=%i τ=%f: loss and gradients match the reference', async (B, D, tau) => {
    const rng = new Rng(B * 31 + D);
    const a = rng.normalArray(B * D);
    const b = rng.normalArray(B * D);
    const got = await runGpu(a, b, B, D, tau);
    const want = ntxentRef(a, b, B, D, tau);
    expect(got.loss).toBeCloseTo(want.loss, 4);
    expectClose(got.da, want.da, 2e-5, 2e-3, 'da');
    expectClose(got.db, want.db, 2e-5, 2e-3, 'db');
  });

  it('the reference gradient matches central finite differences', () => {
    const B = 3;
    const D = 4;
    const tau = 0.2;
    const rng = new Rng(5);
    const a = Float64Array.from(rng.normalArray(B * D));
    const b = Float64Array.from(rng.normalArray(B * D));
    const g = ntxentRef(a, b, B, D, tau);
    for (const i of sampleIndices(B * D, 6)) {
      expect(g.da[i]).toBeCloseTo(
        centralDiff(() => ntxentRef(a, b, B, D, tau).loss, a, i, 1e-6),
        6,
      );
      expect(g.db[i]).toBeCloseTo(
        centralDiff(() => ntxentRef(a, b, B, D, tau).loss, b, i, 1e-6),
        6,
      );
    }
  });

  it('perfectly aligned, well-separated pairs give a loss near zero; identical rows give log(2B−1)', async () => {
    const B = 4;
    const D = 4;
    const one = new Float32Array(B * D);
    for (let i = 0; i < B; i++) one[i * D + i] = 1; // orthogonal unit rows
    const aligned = await runGpu(one, one, B, D, 0.05);
    // Per anchor: the positive has logit 20, the other 6 rows have 0 except its own twin... (twin is the positive)
    expect(aligned.loss).toBeCloseTo(Math.log(1 + 6 * Math.exp(-20)), 5);
    const same = new Float32Array(B * D).fill(1);
    const collapsed = await runGpu(same, same, B, D, 0.1);
    expect(collapsed.loss).toBeCloseTo(Math.log(2 * B - 1), 4);
  });

  it('scale, accumulate and offsets: gradients land in slices of one shared buffer', async () => {
    const ctx = gpu();
    const B = 5;
    const D = 3;
    const rng = new Rng(9);
    const z = rng.normalArray(2 * B * D + 7); // a at 7, b right after
    const g0 = rng.normalArray(2 * B * D + 7);
    const bufs = {
      a: createBufferFrom(ctx, z),
      b: createBufferFrom(ctx, z),
      loss: createStorageBuffer(ctx, 16),
      da: createBufferFrom(ctx, g0),
      db: createBufferFrom(ctx, g0), // unused: da and db both point at the same buffer below
    };
    const op = await planNtXent(
      ctx,
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
      { ...bufs, db: bufs.da },
    );
    await submitAndWait(ctx, (enc) => op.encode(enc));
    const got = await readF32(ctx, bufs.da, 2 * B * D + 7);
    const loss = await readF32(ctx, bufs.loss, 3);
    const want = ntxentRef(z.subarray(7, 7 + B * D), z.subarray(7 + B * D), B, D, 0.1, 0.5);
    expect(loss[2]).toBeCloseTo(want.loss, 4);
    expectClose(got.subarray(0, 7), g0.subarray(0, 7), 0, 0, 'untouched prefix');
    const wantAll = new Float64Array(2 * B * D);
    for (let i = 0; i < B * D; i++) {
      wantAll[i] = g0[7 + i]! + want.da[i]!;
      wantAll[B * D + i] = g0[7 + B * D + i]! + want.db[i]!;
    }
    expectClose(got.subarray(7), wantAll, 2e-5, 2e-3, 'accumulated gradient');
    op.destroy();
  });

  it('is deterministic: two runs give bit-identical results', async () => {
    const rng = new Rng(77);
    const a = rng.normalArray(8 * 32);
    const b = rng.normalArray(8 * 32);
    const r1 = await runGpu(a, b, 8, 32, 0.1);
    const r2 = await runGpu(a, b, 8, 32, 0.1);
    expect(r1.loss).toBe(r2.loss);
    expect(Buffer.from(r1.da.buffer).equals(Buffer.from(r2.da.buffer))).toBe(true);
  });

  it('refuses a single pair', async () => {
    await expect(runGpu(new Float32Array(3), new Float32Array(3), 1, 3, 0.1)).rejects.toThrow(
      'at least 2 pairs',
    );
  });
});
