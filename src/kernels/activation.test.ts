import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type ActivationKind, planActivation } from './activation';
import { activationBackwardRef, activationRef } from './activation.ref';

const gpu = setupGpu();

/** Random values in [-2, 2) with every 7th element exactly 0 (and one -0), to pin the derivative at 0. */
function inputs(n: number, seed: number): Float32Array {
  const x = new Rng(seed).uniformArray(n, -2, 2);
  for (let i = 3; i < n; i += 7) x[i] = 0;
  if (n > 5) x[5] = -0;
  return x;
}

describe('activation (shaders/activation.wgsl)', () => {
  const cases: [ActivationKind, number][] = [
    ['leaky_relu', 1],
    ['leaky_relu', 7],
    ['relu', 7],
    ['leaky_relu', 1031],
    ['relu', 1031],
    ['leaky_relu', 1_000_003],
  ];
  it.each(cases)('%s n = %i: forward, backward from input and from output', async (kind, n) => {
    const ctx = gpu();
    const slope = kind === 'relu' ? 0 : 0.2;
    const x = inputs(n, n);
    const dy = new Rng(n + 1).uniformArray(n, -1, 1);
    const bx = createBufferFrom(ctx, x);
    const by = createStorageBuffer(ctx, n * 4);
    const bdy = createBufferFrom(ctx, dy);
    const bdx1 = createStorageBuffer(ctx, n * 4);
    const bdx2 = createStorageBuffer(ctx, n * 4);
    const fromOut = await planActivation(ctx, { n, kind }, { x: bx, y: by, dy: bdy, dx: bdx1 });
    const fromIn = await planActivation(
      ctx,
      { n, kind, backwardFrom: 'input' },
      { x: bx, y: by, dy: bdy, dx: bdx2 },
    );
    await submitAndWait(ctx, (enc) => {
      fromOut.encodeForward(enc);
      fromOut.encodeBackward(enc);
      fromIn.encodeBackward(enc);
    });
    const y = await readF32(ctx, by, n);
    expectClose(y, activationRef(x, slope), 0, 2e-7, `${kind} forward`);
    const want = activationBackwardRef(x, dy, slope);
    const dx1 = await readF32(ctx, bdx1, n);
    const dx2 = await readF32(ctx, bdx2, n);
    expectClose(dx1, want, 0, 2e-7, `${kind} backward from output`);
    expect(Buffer.from(dx2.buffer).equals(Buffer.from(dx1.buffer))).toBe(true);
    // At exactly 0 the derivative is the slope: 0.2·dy for LeakyReLU, 0 for ReLU.
    if (n > 3) expect(dx1[3]).toBeCloseTo(slope * dy[3]!, 7);
    fromOut.destroy();
    fromIn.destroy();
    for (const b of [bx, by, bdy, bdx1, bdx2]) b.destroy();
  });

  it('backward matches central differences of the reference (slope 0.2 and 0.01)', () => {
    for (const slope of [0.2, 0.01]) {
      const n = 50;
      const x = Float64Array.from(new Rng(3).uniformArray(n, -1, 1));
      const dy = new Rng(4).uniformArray(n, -1, 1);
      const loss = () => activationRef(x, slope).reduce((s, v, i) => s + v * dy[i]!, 0);
      const dx = activationBackwardRef(x, dy, slope);
      for (const i of sampleIndices(n, 20)) {
        if (Math.abs(x[i]!) < 1e-3) continue; // the kink: no finite difference there
        expect(centralDiff(loss, x, i, 1e-4)).toBeCloseTo(dx[i]!, 8);
      }
    }
  });

  it('runs in place (y = x, dx = dy) with a custom slope, and accumulates', async () => {
    const ctx = gpu();
    const n = 333;
    const slope = 0.1;
    const x = inputs(n, 5);
    const dy = new Rng(6).uniformArray(n, -1, 1);
    const dx0 = new Rng(7).uniformArray(n, -1, 1);
    const bxy = createBufferFrom(ctx, x);
    const bdydx = createBufferFrom(ctx, dy);
    const bdy = createBufferFrom(ctx, dy);
    const bacc = createBufferFrom(ctx, dx0);
    const inPlace = await planActivation(
      ctx,
      { n, kind: 'leaky_relu', slope },
      { x: bxy, y: bxy, dy: bdydx, dx: bdydx },
    );
    const acc = await planActivation(
      ctx,
      { n, kind: 'leaky_relu', slope, accumulate: true },
      { x: bxy, y: bxy, dy: bdy, dx: bacc },
    );
    await submitAndWait(ctx, (enc) => {
      inPlace.encodeForward(enc);
      inPlace.encodeBackward(enc);
      acc.encodeBackward(enc);
    });
    expectClose(await readF32(ctx, bxy, n), activationRef(x, slope), 0, 2e-7, 'in-place forward');
    expectClose(await readF32(ctx, bdydx, n), activationBackwardRef(x, dy, slope), 0, 2e-7, 'in-place bwd');
    expectClose(await readF32(ctx, bacc, n), activationBackwardRef(x, dy, slope, dx0), 1e-7, 1e-6, 'dx +=');
    inPlace.destroy();
    acc.destroy();
    for (const b of [bxy, bdydx, bdy, bacc]) b.destroy();
  });

  it('refuses a backward from the input after an in-place forward, and a negative slope', async () => {
    const ctx = gpu();
    const b = createStorageBuffer(ctx, 16);
    await expect(
      planActivation(ctx, { n: 4, kind: 'relu', backwardFrom: 'input' }, { x: b, y: b }),
    ).rejects.toThrow(/in place/);
    await expect(
      planActivation(ctx, { n: 4, kind: 'leaky_relu', slope: -0.1 }, { x: b, y: b }),
    ).rejects.toThrow(/slope/);
    b.destroy();
  });
});
