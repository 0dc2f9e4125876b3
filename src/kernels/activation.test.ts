import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, planGroup, sameBits, withBuffers } from '../../test/op-check';
import type { Rng } from '../util/random';
import { type ActivationKind, type ActivationOp, activationSlope, planActivation } from './activation';
import { activationBackwardRef, activationRef } from './activation.ref';

const gpu = setupGpu();

/** Random values in [-2, 2) with every 7th element exactly 0 (and one -0), to pin the derivative at 0. */
function inputs(n: number, rng: Rng): Float32Array {
  const x = rng.uniformArray(n, -2, 2);
  for (let i = 3; i < n; i += 7) x[i] = 0;
  if (n > 5) x[5] = -0;
  return x;
}

interface Case {
  n: number;
  kind: ActivationKind;
  slope?: number;
}

type Pair = { fromOut: ActivationOp; fromIn: ActivationOp; destroy(): void };

/** Two plans over the same x, y, dy: backward from the output into dx, from the input into dx2. */
const activation: OpSpec<Case, Pair> = {
  name: 'activation',
  data: (s, rng) => ({
    x: inputs(s.n, rng), // [n]
    y: new Float32Array(s.n),
    dy: rng.uniformArray(s.n, -1, 1),
    dx: new Float32Array(s.n),
    dx2: new Float32Array(s.n),
  }),
  async plan(ctx, s, b) {
    const fromOut = await planActivation(ctx, s, { x: b.x!, y: b.y!, dy: b.dy, dx: b.dx });
    const fromIn = await planActivation(
      ctx,
      { ...s, backwardFrom: 'input' },
      { x: b.x!, y: b.y!, dy: b.dy, dx: b.dx2 },
    );
    return planGroup({ fromOut, fromIn });
  },
  forward: {
    encode: (op, enc) => op.fromOut.encodeForward(enc),
    ref: (s, d) => ({ y: activationRef(d.x!, activationSlope(s)) }),
    tol: [0, 2e-7],
  },
  backward: {
    encode(op, enc) {
      op.fromOut.encodeBackward(enc);
      op.fromIn.encodeBackward(enc);
    },
    ref(s, d) {
      const dx = activationBackwardRef(d.x!, d.dy!, activationSlope(s));
      return { dx, dx2: dx };
    },
    tol: [0, 2e-7],
  },
  gradients: {
    cotangents: { y: 'dy' },
    inputs: { x: 'dx' },
    eps: 1e-4,
    samples: 20,
    tol: [5e-9, 0],
    skip: (_x, d, i) => Math.abs(d.x![i]!) < 1e-3, // the kink: no finite difference there
  },
};

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
    const got = await checkOp(gpu(), activation, { n, kind }, { seed: n });
    expect(sameBits(got.backward.dx2!, got.backward.dx!)).toBe(true);
    // At exactly 0 the derivative is the slope: 0.2·dy for LeakyReLU, 0 for ReLU.
    const slope = kind === 'relu' ? 0 : 0.2;
    if (n > 3) expect(got.backward.dx![3]).toBeCloseTo(slope * got.data.dy![3]!, 7);
  });

  it.each([0.2, 0.01])('backward matches central differences of the reference (slope %f)', (slope) => {
    expect(checkGradients(activation, { n: 50, kind: 'leaky_relu', slope }, 3)).toBeGreaterThan(10);
  });

  it('runs in place (y = x, dx = dy) with a custom slope, and accumulates', async () => {
    const slope = 0.1;
    type Ops = { inPlace: ActivationOp; acc: ActivationOp; destroy(): void };
    const inPlace: OpSpec<number, Ops> = {
      name: 'activation in place',
      data(n, rng) {
        const dy = rng.uniformArray(n, -1, 1);
        return { xy: inputs(n, rng), dydx: dy.slice(), dy, acc: rng.uniformArray(n, -1, 1) };
      },
      async plan(ctx, n, b) {
        const shape = { n, kind: 'leaky_relu', slope } as const;
        const ip = await planActivation(ctx, shape, { x: b.xy!, y: b.xy!, dy: b.dydx, dx: b.dydx });
        const acc = await planActivation(
          ctx,
          { ...shape, accumulate: true },
          { x: b.xy!, y: b.xy!, dy: b.dy, dx: b.acc },
        );
        return planGroup({ inPlace: ip, acc });
      },
      forward: {
        encode: (op, enc) => op.inPlace.encodeForward(enc),
        ref: (_n, d) => ({ xy: activationRef(d.xy!, slope) }),
        tol: [0, 2e-7],
      },
      backward: {
        encode(op, enc) {
          op.inPlace.encodeBackward(enc);
          op.acc.encodeBackward(enc);
        },
        ref: (_n, d) => ({
          dydx: activationBackwardRef(d.xy!, d.dy!, slope),
          acc: activationBackwardRef(d.xy!, d.dy!, slope, d.acc),
        }),
        tol: (_n, b) => (b === 'acc' ? [1e-7, 1e-6] : [0, 2e-7]),
      },
    };
    await checkOp(gpu(), inPlace, 333, { seed: 5 });
  });

  it('refuses a backward from the input after an in-place forward, and a negative slope', async () => {
    const ctx = gpu();
    await withBuffers(ctx, { t: new Float32Array(4) }, async ({ t }) => {
      const b = t!;
      await expect(
        planActivation(ctx, { n: 4, kind: 'relu', backwardFrom: 'input' }, { x: b, y: b }),
      ).rejects.toThrow(/in place/);
      await expect(
        planActivation(ctx, { n: 4, kind: 'leaky_relu', slope: -0.1 }, { x: b, y: b }),
      ).rejects.toThrow(/slope/);
    });
  });
});
