import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { dropoutStream, planDropout } from './dropout';
import { dropoutKeeps, pcgHash } from './dropout-hash';
import { dropoutScaleRef } from './dropout.ref';

const gpu = setupGpu();

async function run(n: number, p: number, seed: number, step: number, layer: number, on: boolean) {
  const ctx = gpu();
  const x = new Rng(n + seed).uniformArray(n, -2, 2);
  const dy = new Rng(n + seed + 1).uniformArray(n, -1, 1);
  const bx = createBufferFrom(ctx, x);
  const by = createStorageBuffer(ctx, n * 4);
  const bdy = createBufferFrom(ctx, dy);
  const bdx = createStorageBuffer(ctx, n * 4);
  const op = await planDropout(ctx, { n, p, seed, layer }, { x: bx, y: by, dy: bdy, dx: bdx });
  op.setStep(step);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc, on);
    op.encodeBackward(enc);
  });
  const y = await readF32(ctx, by, n);
  const dx = await readF32(ctx, bdx, n);
  op.destroy();
  for (const b of [bx, by, bdy, bdx]) b.destroy();
  return { x, dy, y, dx };
}

describe('dropout (shaders/dropout.wgsl)', () => {
  it('hashes as PCG-RXS-M-XS (known values, u32 wrap-around)', () => {
    expect(pcgHash(0)).toBe(129708002);
    expect(pcgHash(1)).toBe(2831084092);
    expect(pcgHash(0xffffffff)).toBe(pcgHash(-1));
  });

  it.each([
    [1, 0.5, 0, 3, 0],
    [1031, 0.5, 7, 0, 1],
    [4099, 0.2, 123456789, 12, 0],
    [70_001, 0.5, 1, 5, 1],
  ])(
    'n %i, p %f, seed %i, step %i, layer %i: mask, scale and backward as the reference',
    async (n, p, seed, step, layer) => {
      const { x, dy, y, dx } = await run(n, p, seed, step, layer, true);
      const scale = dropoutScaleRef(n, p, seed, dropoutStream(step, layer));
      for (let i = 0; i < n; i++)
        expect(y[i] === 0, `element ${i} dropped`).toBe(scale[i] === 0 || x[i] === 0);
      expectClose(
        y,
        Array.from(x, (v, i) => v * scale[i]!),
        0,
        1e-7,
        'forward',
      );
      expectClose(
        dx,
        Array.from(dy, (v, i) => v * scale[i]!),
        0,
        1e-7,
        'backward',
      );
      // Finite differences of Σ y·dy (the reference's forward) at a few elements.
      const xs = Float64Array.from(x);
      const loss = () => xs.reduce((a, v, i) => a + v * scale[i]! * dy[i]!, 0);
      for (const i of sampleIndices(n, 5, n)) expect(dx[i]).toBeCloseTo(centralDiff(loss, xs, i, 1e-3), 4);
      if (n > 1000) {
        const kept = scale.reduce((a, s) => a + (s > 0 ? 1 : 0), 0) / n;
        expect(Math.abs(kept - (1 - p))).toBeLessThan(0.03);
      }
    },
  );

  it('is deterministic by seed; steps and layers draw different masks; off copies', async () => {
    const a = await run(2000, 0.5, 3, 4, 0, true);
    const b = await run(2000, 0.5, 3, 4, 0, true);
    expect(b.y).toEqual(a.y);
    const t = Math.round(0.5 * 2 ** 24);
    const masks = [
      [3, 4, 0],
      [3, 5, 0],
      [3, 4, 1],
      [4, 4, 0],
    ].map(([seed, step, layer]) =>
      Array.from({ length: 2000 }, (_, i) => dropoutKeeps(seed!, dropoutStream(step!, layer!), i, t)),
    );
    for (let m = 1; m < masks.length; m++) {
      const same = masks[m]!.filter((v, i) => v === masks[0]![i]).length;
      expect(same, `mask ${m}`).toBeLessThan(1200);
    }
    const off = await run(777, 0.5, 3, 4, 0, false);
    expect(off.y).toEqual(Float32Array.from(off.x));
    expect(off.dx).toEqual(Float32Array.from(off.dy));
  });
});
