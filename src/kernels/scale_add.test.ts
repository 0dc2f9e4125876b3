import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type OpSpec } from '../../test/op-check';
import { type ScaleAddOp, planScaleAdd } from './scale_add';
import { scaleAddRef } from './scale_add.ref';

const gpu = setupGpu();
const alpha = -0.37;

/** out = alpha·x + y over n floats (no backward: the optimizer's update step). */
const scaleAdd: OpSpec<number, ScaleAddOp> = {
  name: 'scale_add',
  data: (n, rng) => ({
    x: rng.uniformArray(n, -3, 3), // [n]
    y: rng.uniformArray(n, -3, 3), // [n]
    out: new Float32Array(n), // [n]
  }),
  plan: (ctx, n, b) => planScaleAdd(ctx, { x: b.x!, y: b.y!, out: b.out! }, n, alpha),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref: (_n, d) => ({ out: scaleAddRef(d.x!, d.y!, alpha) }),
    // f32 multiply-add on the GPU may fuse (one rounding instead of two): allow one ulp of |out| ≤ 6.
    tol: [1e-6, 0],
  },
};

describe('scale_add (shaders/scale_add.wgsl)', () => {
  // 1, a prime, one past a workgroup, and a length that needs a y-folded grid on
  // adapters with 65535 groups per dimension (65535·256 + 3 elements).
  it.each([1, 7, 257, 100_003, 65_535 * 256 + 3])('matches the reference for n = %i', async (n) => {
    const got = await checkOp(gpu(), scaleAdd, n, { seed: n });
    expect(got.forward.out![n - 1]).not.toBe(0); // the last element was written
  });
});
