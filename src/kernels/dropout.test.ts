import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, sameBits } from '../../test/op-check';
import { type DropoutOp, dropoutStream, planDropout } from './dropout';
import { dropoutKeeps, pcgHash } from './dropout-hash';
import { dropoutScaleRef } from './dropout.ref';

const gpu = setupGpu();

interface Case {
  n: number;
  p: number;
  seed: number;
  step: number;
  layer: number;
  /** Dropout applied (training) or the identity (evaluation). */
  on: boolean;
}

const scaleOf = (s: Case) =>
  s.on ? dropoutScaleRef(s.n, s.p, s.seed, dropoutStream(s.step, s.layer)) : new Float64Array(s.n).fill(1);

const dropout: OpSpec<Case, DropoutOp> = {
  name: 'dropout',
  data: (s, rng) => ({
    x: rng.uniformArray(s.n, -2, 2), // [n]
    y: new Float32Array(s.n),
    dy: rng.uniformArray(s.n, -1, 1),
    dx: new Float32Array(s.n),
  }),
  async plan(ctx, s, b) {
    const op = await planDropout(ctx, s, { x: b.x!, y: b.y!, dy: b.dy, dx: b.dx });
    op.setStep(s.step);
    return op;
  },
  forward: {
    encode: (op, enc, s) => op.encodeForward(enc, s.on),
    ref: (s, d) => {
      const k = scaleOf(s);
      return { y: Float64Array.from(d.x!, (v, i) => v * k[i]!) };
    },
    tol: [0, 2e-7],
  },
  backward: {
    ref: (s, d) => {
      const k = scaleOf(s);
      return { dx: Float64Array.from(d.dy!, (v, i) => v * k[i]!) };
    },
    tol: [0, 2e-7],
  },
  gradients: { cotangents: { y: 'dy' }, inputs: { x: 'dx' }, eps: 1e-3, samples: 12, tol: [1e-9, 1e-9] },
};

describe('dropout (shaders/dropout.wgsl)', () => {
  it('hashes as PCG-RXS-M-XS (known values, u32 wrap-around)', () => {
    expect(pcgHash(0)).toBe(129708002);
    expect(pcgHash(1)).toBe(2831084092);
    expect(pcgHash(0xffffffff)).toBe(pcgHash(-1));
  });

  const cases: Case[] = [
    { n: 1, p: 0.5, seed: 0, step: 3, layer: 0, on: true },
    { n: 1031, p: 0.5, seed: 7, step: 0, layer: 1, on: true },
    { n: 4099, p: 0.2, seed: 123456789, step: 12, layer: 0, on: true },
    { n: 70_001, p: 0.5, seed: 1, step: 5, layer: 1, on: true },
    { n: 777, p: 0.5, seed: 3, step: 4, layer: 0, on: false }, // evaluation: a copy
  ];
  it.each(cases)('mask, scale and backward as the reference: %j', async (s) => {
    const r = await checkOp(gpu(), dropout, s, { seed: s.n });
    if (s.n > 1000 && s.on) {
      const kept = (r.forward.y as Float32Array).reduce((a, v) => a + (v !== 0 ? 1 : 0), 0) / s.n;
      expect(Math.abs(kept - (1 - s.p))).toBeLessThan(0.03);
    }
    if (!s.on) expect(sameBits(r.forward.y!, r.data.x!)).toBe(true);
  });

  it('the reference backward matches central differences', () => {
    expect(checkGradients(dropout, cases[1]!, 2)).toBe(12);
  });

  it('is deterministic by seed; steps, layers and seeds draw different masks', async () => {
    const s = cases[1]!;
    const a = await checkOp(gpu(), dropout, s, { seed: 9 });
    const b = await checkOp(gpu(), dropout, s, { seed: 9 });
    expect(sameBits(a.forward.y!, b.forward.y!)).toBe(true);
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
  });
});
