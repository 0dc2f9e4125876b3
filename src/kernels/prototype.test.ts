import { describe, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { planPrototype } from './prototype';
import { prototypeBackwardRef, prototypeRef } from './prototype.ref';

const gpu = setupGpu();

describe('point prototype (shaders/prototype.wgsl)', () => {
  it.each([
    [1, 1],
    [3, 7],
    [20, 256],
    [5, 1031],
  ])('B=%i D=%i: forward and accumulating backward match the reference', async (B, D) => {
    const ctx = gpu();
    const rng = new Rng(B + D);
    const z = rng.normalArray(2 * B * D);
    const dzp = rng.normalArray(B * D);
    const dz0 = rng.normalArray(2 * B * D);
    const bufs = {
      z: createBufferFrom(ctx, z),
      zp: createStorageBuffer(ctx, B * D * 4),
      dzp: createBufferFrom(ctx, dzp),
      dz: createBufferFrom(ctx, dz0),
    };
    const op = await planPrototype(ctx, { B, D }, bufs);
    await submitAndWait(ctx, (enc) => {
      op.encodeForward(enc);
      op.encodeBackward(enc);
    });
    expectClose(await readF32(ctx, bufs.zp, B * D), prototypeRef(z, B, D), 1e-6, 1e-6, 'zp');
    const want = prototypeBackwardRef(dzp, Float64Array.from(dz0), B, D);
    expectClose(await readF32(ctx, bufs.dz, 2 * B * D), want, 1e-6, 1e-6, 'dz');
    op.destroy();
  });

  it('the reference backward is the gradient of sum(zp ⊙ g)', () => {
    const B = 2;
    const D = 3;
    const rng = new Rng(1);
    const z = Float64Array.from(rng.normalArray(2 * B * D));
    const g = rng.normalArray(B * D);
    const f = () => prototypeRef(z, B, D).reduce((t, v, i) => t + v * g[i]!, 0);
    const dz = prototypeBackwardRef(g, new Float64Array(2 * B * D), B, D);
    const fd = Float64Array.from({ length: 2 * B * D }, (_, i) => centralDiff(f, z, i, 1e-6));
    expectClose(dz, fd, 1e-8, 1e-6, 'finite differences');
  });
});
