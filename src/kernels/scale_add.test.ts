import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { planScaleAdd } from './scale_add';
import { scaleAddRef } from './scale_add.ref';

const gpu = setupGpu();

describe('scale_add (shaders/scale_add.wgsl)', () => {
  // 1, a prime, one past a workgroup, and a length that needs a y-folded grid on
  // adapters with 65535 groups per dimension (65535·256 + 3 elements).
  it.each([1, 7, 257, 100_003, 65_535 * 256 + 3])('matches the reference for n = %i', async (n) => {
    const ctx = gpu();
    const rng = new Rng(n);
    const x = rng.uniformArray(n, -3, 3);
    const y = rng.uniformArray(n, -3, 3);
    const alpha = -0.37;
    const bx = createBufferFrom(ctx, x);
    const by = createBufferFrom(ctx, y);
    const bo = createStorageBuffer(ctx, n * 4);
    const op = await planScaleAdd(ctx, { x: bx, y: by, out: bo }, n, alpha);
    await submitAndWait(ctx, (enc) => op.encode(enc));
    const got = await readF32(ctx, bo, n);
    const want = scaleAddRef(x, y, alpha);
    let maxErr = 0;
    for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
    // f32 multiply-add on the GPU may fuse (one rounding instead of two): allow one ulp of |out| ≤ 6.
    expect(maxErr).toBeLessThanOrEqual(1e-6);
    expect(got[n - 1]).toBeCloseTo(want[n - 1]!, 5);
    op.destroy();
    for (const b of [bx, by, bo]) b.destroy();
  });
});
