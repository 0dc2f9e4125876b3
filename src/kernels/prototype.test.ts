import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec } from '../../test/op-check';
import { planPrototype } from './prototype';
import { prototypeBackwardRef, prototypeRef } from './prototype.ref';

const gpu = setupGpu();

interface Shape {
  B: number;
  D: number;
}

const prototype: OpSpec<Shape, Awaited<ReturnType<typeof planPrototype>>> = {
  name: 'prototype',
  data: ({ B, D }, rng) => ({
    z: rng.normalArray(2 * B * D), // [2B, D]
    zp: new Float32Array(B * D), // [B, D]
    dzp: rng.normalArray(B * D),
    dz: rng.normalArray(2 * B * D), // accumulated into
  }),
  plan: (ctx, s, b) => planPrototype(ctx, s, { z: b.z!, zp: b.zp!, dzp: b.dzp, dz: b.dz }),
  forward: { ref: ({ B, D }, d) => ({ zp: prototypeRef(d.z!, B, D) }), tol: [1e-6, 1e-6] },
  backward: {
    ref: ({ B, D }, d) => ({ dz: prototypeBackwardRef(d.dzp!, Float64Array.from(d.dz!), B, D) }),
    tol: [1e-6, 1e-6],
  },
  gradients: { cotangents: { zp: 'dzp' }, inputs: { z: 'dz' }, eps: 1e-6, samples: 12, tol: [1e-8, 1e-6] },
};

describe('point prototype (shaders/prototype.wgsl)', () => {
  it.each([
    [1, 1],
    [3, 7],
    [20, 256],
    [5, 1031],
  ])('B=%i D=%i: forward and accumulating backward match the reference', async (B, D) => {
    await checkOp(gpu(), prototype, { B, D }, { seed: B + D });
  });

  it('the reference backward is the gradient of sum(zp ⊙ g) (every element)', () => {
    expect(checkGradients(prototype, { B: 2, D: 3 }, 1)).toBe(12);
  });
});
