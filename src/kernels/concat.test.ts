import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec } from '../../test/op-check';
import { type ConcatOp, type ConcatShape, planConcat } from './concat';
import { concatBackwardRef, concatForwardRef } from './concat.ref';

const gpu = setupGpu();

/** Float32 like the GPU (one rounding per add) unless central differences perturb `part` in float64. */
const like = (x: ArrayLike<number>, into: Float32Array) =>
  x instanceof Float64Array ? Float64Array.from(into) : into.slice();

const concat: OpSpec<ConcatShape, ConcatOp> = {
  name: 'concat',
  data: (s, rng) => ({
    part: rng.uniformArray(s.B * s.C * s.N), // [B, C, N]
    whole: rng.uniformArray(s.B * s.Ctot * s.N), // [B, Ctot, N]
    dWhole: rng.uniformArray(s.B * s.Ctot * s.N),
    dPart: rng.uniformArray(s.B * s.C * s.N),
  }),
  plan: (ctx, s, b) => planConcat(ctx, s, b),
  // A copy is exact; the accumulating variants round once, as the reference does in float32.
  forward: {
    ref: (s, d) => ({ whole: concatForwardRef(s, d.part!, like(d.part!, d.whole as Float32Array)) }),
    tol: [0, 0],
  },
  backward: {
    ref: (s, d) => ({ dPart: concatBackwardRef(s, d.dWhole!, (d.dPart as Float32Array).slice()) }),
    tol: [0, 0],
  },
  gradients: {
    cotangents: { whole: 'dWhole' },
    inputs: { part: 'dPart' },
    eps: 1e-3,
    samples: 12,
    tol: [1e-9, 1e-9],
  },
};

const WIDTHS = [64, 64, 128, 256];
interface Dgcnn {
  B: number;
  N: number;
}
const partShape = (s: Dgcnn, k: number): ConcatShape => ({
  B: s.B,
  C: WIDTHS[k]!,
  N: s.N,
  Ctot: 512,
  c0: WIDTHS.slice(0, k).reduce((a, b) => a + b, 0),
});

/** DGCNN's concatenation: four EdgeConv outputs [B, 64|64|128|256, N] into one [B, 512, N]. */
const dgcnnConcat: OpSpec<Dgcnn, ConcatOp & { ops: ConcatOp[] }> = {
  name: 'DGCNN concat',
  data(s, rng) {
    const d: Record<string, Float32Array> = {};
    WIDTHS.forEach((C, k) => {
      d[`part${k}`] = rng.uniformArray(s.B * C * s.N);
    });
    d.whole = new Float32Array(s.B * 512 * s.N);
    d.dWhole = rng.uniformArray(s.B * 512 * s.N);
    WIDTHS.forEach((C, k) => {
      d[`dPart${k}`] = new Float32Array(s.B * C * s.N);
    });
    return d;
  },
  async plan(ctx, s, b) {
    const ops: ConcatOp[] = [];
    for (let k = 0; k < 4; k++) {
      ops.push(
        await planConcat(ctx, partShape(s, k), {
          part: b[`part${k}`],
          whole: b.whole,
          dWhole: b.dWhole,
          dPart: b[`dPart${k}`],
        }),
      );
    }
    return {
      ops,
      encodeForward(enc) {
        for (const op of ops) op.encodeForward(enc);
      },
      encodeBackward(enc) {
        for (const op of ops) op.encodeBackward(enc);
      },
      destroy() {
        for (const op of ops) op.destroy();
      },
    };
  },
  forward: {
    ref(s, d) {
      const whole = new Float32Array(s.B * 512 * s.N);
      for (let k = 0; k < 4; k++) concatForwardRef(partShape(s, k), d[`part${k}`]!, whole);
      return { whole };
    },
    tol: [0, 0],
  },
  backward: {
    ref: (s, d) =>
      Object.fromEntries(
        WIDTHS.map((C, k) => [
          `dPart${k}`,
          concatBackwardRef(partShape(s, k), d.dWhole!, new Float32Array(s.B * C * s.N)),
        ]),
      ),
    tol: [0, 0],
  },
};

describe('concat (shaders/concat.wgsl)', () => {
  const cases: ConcatShape[] = [
    { B: 1, C: 1, N: 1, Ctot: 1, c0: 0 },
    { B: 3, C: 5, N: 7, Ctot: 12, c0: 7 },
    { B: 2, C: 64, N: 37, Ctot: 512, c0: 128 },
    { B: 3, C: 3, N: 1031, Ctot: 9, c0: 0, accumulateForward: true, accumulateBackward: true },
    { B: 1, C: 256, N: 1, Ctot: 2048, c0: 1792, accumulateBackward: true },
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_n, s, i) => {
    await checkOp(gpu(), concat, s, { seed: 40 + i });
  });

  it('assembles the DGCNN concatenation of four parts and splits its gradient back', async () => {
    const s = { B: 2, N: 19 };
    const got = await checkOp(gpu(), dgcnnConcat, s, { seed: 77 });
    // Channel 64·2 + 5 of cloud 1, point 3 comes from part 2 (EdgeConv 3), its channel 5.
    expect(got.forward.whole![(1 * 512 + 133) * s.N + 3]).toBe(got.data.part2![(1 * 128 + 5) * s.N + 3]);
  });

  it('backward is the adjoint of forward (central differences of the reference)', () => {
    expect(checkGradients(concat, { B: 2, C: 3, N: 5, Ctot: 8, c0: 4 }, 5)).toBe(12);
  });

  it('refuses a slice outside the whole', async () => {
    await expect(planConcat(gpu(), { B: 1, C: 4, N: 2, Ctot: 6, c0: 3 }, {})).rejects.toThrow(/outside/);
  });
});
