import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { withBuffers } from '../../test/op-check';
import { submitAndWait } from '../gpu/buffers';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { planPointAugment } from './point_augment';
import {
  type AugmentDraw,
  CROSSPOINT_AUGMENT,
  drawAugmentParams,
  NO_AUGMENT,
  type PointAugmentOptions,
} from './point_augment-params';
import { pointAugmentRef } from './point_augment.ref';

const gpu = setupGpu();

/** Clouds that are neither centred nor unit-sized: uniform in a box, shifted and stretched per cloud. */
function clouds(B: number, N: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const p = new Float32Array(B * N * 3);
  for (let b = 0; b < B; b++) {
    const off = [rng.uniform(-5, 5), rng.uniform(-5, 5), rng.uniform(-5, 5)];
    const s = [rng.uniform(0.5, 3), rng.uniform(0.1, 2), rng.uniform(0.5, 3)];
    for (let i = 0; i < N; i++)
      for (let k = 0; k < 3; k++) p[(b * N + i) * 3 + k] = off[k]! + s[k]! * rng.uniform(-1, 1);
  }
  return p;
}

async function runGpu(points: Float32Array, B: number, N: number, o: PointAugmentOptions, draw: AugmentDraw) {
  const ctx = gpu();
  // points [B, N, 3] in, out [B, 3, N].
  return withBuffers(ctx, { points, out: new Float32Array(B * 3 * N) }, async (b, read) => {
    const op = await planPointAugment(ctx, { B, N, options: o }, { points: b.points!, out: b.out! });
    try {
      op.upload(draw);
      await submitAndWait(ctx, (enc) => op.encode(enc));
      return (await read('out')) as Float32Array;
    } finally {
      op.destroy();
    }
  });
}

/** Column i of cloud b of an output [B, 3, N]. */
const pt = (out: Float32Array, N: number, b: number, i: number) =>
  [0, 1, 2].map((k) => out[b * 3 * N + k * N + i]!);

describe('point augment (shaders/point_augment.wgsl)', () => {
  it.each([
    [1, 1],
    [1, 2],
    [3, 257],
    [2, 1031],
    [4, 2048],
  ])('matches the reference for B = %i, N = %i (all augmentations)', async (B, N) => {
    const points = clouds(B, N, B * 1000 + N);
    const draw = drawAugmentParams(new Rng(N), B, CROSSPOINT_AUGMENT);
    const got = await runGpu(points, B, N, CROSSPOINT_AUGMENT, draw);
    const want = pointAugmentRef(points, B, N, draw, CROSSPOINT_AUGMENT);
    // Dropout decisions are exact: a dropped point is bit-equal to the GPU's point 0.
    for (let b = 0; b < B; b++) {
      for (let i = 1; i < N; i++) {
        const same = pt(got, N, b, i).every((v, k) => v === pt(got, N, b, 0)[k]);
        expect(same, `cloud ${b} point ${i}`).toBe(want.dropped[b * N + i] === 1);
      }
    }
    expectClose(got, want.out, 2e-5, 2e-5, `augment B=${B} N=${N}`);
  });

  it('same seed and input give bit-identical output; another seed differs', async () => {
    const B = 2;
    const N = 300;
    const points = clouds(B, N, 5);
    const d1 = drawAugmentParams(new Rng(77), B, CROSSPOINT_AUGMENT);
    const a = await runGpu(points, B, N, CROSSPOINT_AUGMENT, d1);
    const b = await runGpu(
      points,
      B,
      N,
      CROSSPOINT_AUGMENT,
      drawAugmentParams(new Rng(77), B, CROSSPOINT_AUGMENT),
    );
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = await runGpu(
      points,
      B,
      N,
      CROSSPOINT_AUGMENT,
      drawAugmentParams(new Rng(78), B, CROSSPOINT_AUGMENT),
    );
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('normalise + scale: centred, largest norm equals the drawn scale in [0.5, 2]', async () => {
    const B = 6;
    const N = 500;
    const o = { ...NO_AUGMENT, scale: [0.5, 2] as [number, number] };
    const draw = drawAugmentParams(new Rng(1), B, o);
    const out = await runGpu(clouds(B, N, 2), B, N, o, draw);
    for (let b = 0; b < B; b++) {
      const s = draw.clouds[b]!.scale;
      expect(s).toBeGreaterThanOrEqual(0.5);
      expect(s).toBeLessThan(2);
      let maxNorm = 0;
      const mean = [0, 0, 0];
      for (let i = 0; i < N; i++) {
        const p = pt(out, N, b, i);
        maxNorm = Math.max(maxNorm, Math.hypot(...p));
        for (let k = 0; k < 3; k++) mean[k]! += p[k]! / N;
      }
      expect(maxNorm).toBeCloseTo(s, 5);
      for (const m of mean) expect(Math.abs(m)).toBeLessThan(1e-5);
    }
  });

  it('rotation about y keeps y and the distance from the y axis', async () => {
    const B = 3;
    const N = 400;
    const points = clouds(B, N, 3);
    const norm = await runGpu(points, B, N, NO_AUGMENT, drawAugmentParams(new Rng(4), B, NO_AUGMENT));
    const o = { ...NO_AUGMENT, rotate: true };
    const draw = drawAugmentParams(new Rng(4), B, o);
    const rot = await runGpu(points, B, N, o, draw);
    for (let b = 0; b < B; b++) {
      expect(draw.clouds[b]!.angle).toBeGreaterThanOrEqual(0);
      expect(draw.clouds[b]!.angle).toBeLessThan(2 * Math.PI);
      for (let i = 0; i < N; i++) {
        const [x0, y0, z0] = pt(norm, N, b, i);
        const [x1, y1, z1] = pt(rot, N, b, i);
        expect(y1).toBe(y0);
        expect(Math.hypot(x1!, z1!)).toBeCloseTo(Math.hypot(x0!, z0!), 5);
      }
    }
  });

  it('translation moves each cloud by t·extent with |t| ≤ 0.5', async () => {
    const B = 4;
    const N = 200;
    const points = clouds(B, N, 6);
    const base = await runGpu(points, B, N, NO_AUGMENT, drawAugmentParams(new Rng(9), B, NO_AUGMENT));
    const o = { ...NO_AUGMENT, translate: 0.5 };
    const draw = drawAugmentParams(new Rng(9), B, o);
    const moved = await runGpu(points, B, N, o, draw);
    for (let b = 0; b < B; b++) {
      const t = draw.clouds[b]!.translate;
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(t[k]!)).toBeLessThanOrEqual(0.5);
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < N; i++) {
          const v = pt(base, N, b, i)[k]!;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        for (const i of [0, N - 1]) {
          expect(pt(moved, N, b, i)[k]! - pt(base, N, b, i)[k]!).toBeCloseTo(t[k]! * (hi - lo), 5);
        }
      }
    }
  });

  it('jitter is N(0, 0.01) per coordinate, clipped to ±0.05', async () => {
    const B = 4;
    const N = 2048;
    const points = clouds(B, N, 7);
    const base = await runGpu(points, B, N, NO_AUGMENT, drawAugmentParams(new Rng(3), B, NO_AUGMENT));
    const o = { ...NO_AUGMENT, jitter: { std: 0.01, clip: 0.05 } };
    const jit = await runGpu(points, B, N, o, drawAugmentParams(new Rng(3), B, o));
    let sum = 0;
    let sq = 0;
    let maxAbs = 0;
    for (let i = 0; i < jit.length; i++) {
      const d = jit[i]! - base[i]!;
      sum += d;
      sq += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
    }
    const n = jit.length;
    expect(maxAbs).toBeLessThanOrEqual(0.05 + 1e-6);
    expect(Math.abs(sum / n)).toBeLessThan(4 * (0.01 / Math.sqrt(n)));
    expect(Math.sqrt(sq / n)).toBeGreaterThan(0.0097);
    expect(Math.sqrt(sq / n)).toBeLessThan(0.0103);
    // A tighter clip binds: every offset within it, and some at it.
    const tight = { ...NO_AUGMENT, jitter: { std: 0.01, clip: 0.005 } };
    const clipped = await runGpu(points, B, N, tight, drawAugmentParams(new Rng(3), B, tight));
    let atClip = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(clipped[i]! - base[i]!);
      expect(d).toBeLessThanOrEqual(0.005 + 1e-6);
      if (d > 0.005 - 1e-6) atClip++;
    }
    expect(atClip / n).toBeGreaterThan(0.5); // P(|z| > 0.5) ≈ 0.62
  });

  it('dropout replaces about ratio·N points by point 0, with ratio in [0, 0.875)', async () => {
    const B = 8;
    const N = 2048;
    const o = { ...NO_AUGMENT, dropout: 0.875 };
    const draw = drawAugmentParams(new Rng(12), B, o);
    const out = await runGpu(clouds(B, N, 8), B, N, o, draw);
    for (let b = 0; b < B; b++) {
      const r = draw.clouds[b]!.dropRatio;
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(0.875);
      const p0 = pt(out, N, b, 0);
      let same = 0;
      for (let i = 1; i < N; i++) if (pt(out, N, b, i).every((v, k) => v === p0[k])) same++;
      const frac = same / (N - 1);
      expect(Math.abs(frac - r)).toBeLessThan(4 * Math.sqrt((r * (1 - r)) / N) + 2 / N);
    }
  });

  it('draws parameters in the documented ranges', () => {
    const d = drawAugmentParams(new Rng(0), 2000, CROSSPOINT_AUGMENT);
    const all = (f: (c: (typeof d.clouds)[number]) => number) => d.clouds.map(f);
    const range = (a: number[]) => [Math.min(...a), Math.max(...a)];
    const [s0, s1] = range(all((c) => c.scale));
    expect(s0).toBeGreaterThanOrEqual(0.5);
    expect(s0).toBeLessThan(0.52);
    expect(s1).toBeLessThan(2);
    expect(s1).toBeGreaterThan(1.98);
    const [r0, r1] = range(all((c) => c.dropRatio));
    expect(r0).toBeGreaterThanOrEqual(0);
    expect(r1).toBeLessThan(0.875);
    expect(r1).toBeGreaterThan(0.86);
    const [t0, t1] = range(d.clouds.flatMap((c) => c.translate));
    expect(t0).toBeGreaterThanOrEqual(-0.5);
    expect(t1).toBeLessThanOrEqual(0.5);
  });

  it('a batch too large for one buffer is refused naming the limit', async () => {
    const ctx = gpu();
    await withBuffers(ctx, { tiny: new Float32Array(4) }, async ({ tiny }) => {
      await expect(
        planPointAugment(
          ctx,
          { B: 64, N: 1 << 24, options: CROSSPOINT_AUGMENT },
          { points: tiny!, out: tiny! },
        ),
      ).rejects.toThrow(GpuLimitError);
    });
  });
});
