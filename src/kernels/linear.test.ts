import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, withBuffers } from '../../test/op-check';
import { type LinearOp, type LinearShape, planLinear } from './linear';
import { linearBackwardRef, linearForwardRef } from './linear.ref';

const gpu = setupGpu();

/** A sum of n f32 products: its error grows like √n. */
const sumTol = (n: number) => [1e-5 * Math.sqrt(n) + 1e-6, 1e-5] as const;

const linear: OpSpec<LinearShape, LinearOp> = {
  name: 'linear',
  data: ({ B, inFeatures: I, outFeatures: O }, rng) => ({
    x: rng.uniformArray(B * I), // [B, I]
    w: rng.uniformArray(O * I, -0.1, 0.1), // [O, I]
    b: rng.uniformArray(O), // [O]
    y: new Float32Array(B * O), // [B, O]
    dy: rng.uniformArray(B * O),
    dx: rng.uniformArray(B * I), // the bases the accumulating variants add into
    dw: rng.uniformArray(O * I),
    db: rng.uniformArray(O),
  }),
  plan: (ctx, s, b) => planLinear(ctx, s, { ...b, x: b.x!, w: b.w!, y: b.y! }),
  forward: {
    ref: (s, d) => ({ y: linearForwardRef(s, d.x!, d.w!, d.b!) }),
    tol: (s) => sumTol(s.inFeatures),
  },
  backward: {
    ref(s, d) {
      const g = linearBackwardRef(s, d.x!, d.w!, d.dy!, {
        dx: s.accumulateDx ? d.dx : undefined,
        dw: s.accumulate ? d.dw : undefined,
        db: s.accumulate ? d.db : undefined,
      });
      return { dx: g.dx, dw: g.dw, db: s.bias ? g.db : d.db }; // no bias: db untouched
    },
    tol: (s, b) => (b === 'dx' ? sumTol(s.outFeatures) : b === 'db' && !s.bias ? [0, 0] : sumTol(s.B)),
  },
  gradients: {
    cotangents: { y: 'dy' },
    inputs: { x: 'dx', w: 'dw', b: 'db' },
    eps: 1e-3,
    samples: 10,
    tol: [1e-9, 1e-8],
  },
};

describe('linear (shaders/matmul.wgsl + shaders/column_sum.wgsl)', () => {
  const cases: LinearShape[] = [
    { B: 1, inFeatures: 1, outFeatures: 1, bias: true },
    { B: 3, inFeatures: 7, outFeatures: 5, bias: true },
    { B: 65, inFeatures: 33, outFeatures: 17, bias: true, accumulate: true }, // db over 2 row chunks
    { B: 6, inFeatures: 2048, outFeatures: 512, bias: false, accumulateDx: true }, // image head 0
    { B: 20, inFeatures: 1024, outFeatures: 256, bias: true, accumulate: true }, // point head 3
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_n, s, i) => {
    await checkOp(gpu(), linear, s, { seed: 90 + i });
  });

  it('backward matches central differences of the reference (x, W and b)', () => {
    expect(checkGradients(linear, { B: 3, inFeatures: 4, outFeatures: 5, bias: true }, 2)).toBe(25);
  });

  it('refuses a biased layer without a bias buffer', async () => {
    const ctx = gpu();
    await withBuffers(ctx, { t: new Float32Array(4) }, async ({ t }) => {
      await expect(
        planLinear(ctx, { B: 1, inFeatures: 2, outFeatures: 2, bias: true }, { x: t!, w: t!, y: t! }),
      ).rejects.toThrow(/bias/);
    });
  });
});
