import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, sameBits, withBuffers } from '../../test/op-check';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { type MaxPool2dOp, type MaxPool2dShape, planMaxPool2d } from './maxpool2d';
import { maxPool2dBackwardRef, maxPool2dOutSize, maxPool2dRef } from './maxpool2d.ref';

const gpu = setupGpu();

interface Case extends MaxPool2dShape {
  /** Values from {−1, 0, 1}: many equal maxima per window, so first-wins matters. */
  ties?: boolean;
  /** The backward adds into dx. */
  accumulate?: boolean;
}

/** Distinct values (a shuffled ramp, gaps of 0.01) so finite differences never cross a tie. */
function distinct(rng: Rng, n: number): Float32Array {
  const v = rng.shuffle([...Array(n).keys()]);
  return Float32Array.from(v, (k) => (k - n / 2) * 0.01);
}

const maxpool: OpSpec<Case, MaxPool2dOp> = {
  name: 'maxpool2d',
  data(s, rng) {
    const n = s.B * s.C * s.H * s.W;
    const { Ho, Wo } = maxPool2dOutSize(s);
    const m = s.B * s.C * Ho * Wo;
    const x = s.ties ? Float32Array.from({ length: n }, () => rng.int(3) - 1) : distinct(rng, n);
    return {
      x, // [B, C, H, W]
      y: new Float32Array(m), // [B, C, Ho, Wo]
      argmax: new Int32Array(m), // [B, C, Ho, Wo]: flat index into the H·W plane
      dy: rng.uniformArray(m),
      dx: s.accumulate ? rng.uniformArray(n) : new Float32Array(n),
    };
  },
  plan: (ctx, { ties: _t, accumulate: _a, ...s }, b) =>
    planMaxPool2d(ctx, s, { x: b.x!, y: b.y!, argmax: b.argmax!, dy: b.dy, dx: b.dx }),
  forward: {
    ref(s, d) {
      const r = maxPool2dRef(s, d.x!);
      return { y: r.y, argmax: r.argmax };
    },
    tol: [0, 0],
  },
  backward: {
    encode: (op, enc, s) => op.encodeBackward(enc, { accumulate: Boolean(s.accumulate) }),
    ref(s, d) {
      const dx = maxPool2dBackwardRef(s, d.dy!, maxPool2dRef(s, d.x!).argmax);
      return { dx: s.accumulate ? dx.map((v, i) => v + d.dx![i]!) : dx };
    },
    tol: [1e-6, 1e-6],
  },
  gradients: {
    cotangents: { y: 'dy' },
    inputs: { x: 'dx' },
    eps: 1e-3,
    samples: 20,
    tol: [1e-5, 1e-4],
    // Some positions that receive gradient (most of x does not).
    alsoAt: (_x, d, s) => [...maxPool2dRef(s, d.x!).argmax.slice(0, 5)],
  },
};

const cases: MaxPool2dShape[] = [
  { B: 3, C: 5, H: 13, W: 11, kernel: 3, stride: 2, pad: 1 }, // the ResNet stem pool
  { B: 1, C: 64, H: 16, W: 16, kernel: 3, stride: 2, pad: 1 },
  { B: 2, C: 17, H: 7, W: 6, kernel: 2, stride: 2, pad: 0 },
  { B: 1, C: 3, H: 9, W: 10, kernel: 3, stride: 1, pad: 1 }, // windows overlap heavily
  { B: 2, C: 1, H: 11, W: 13, kernel: 5, stride: 3, pad: 2 },
  { B: 1, C: 1, H: 1, W: 1, kernel: 1, stride: 1, pad: 0 },
  { B: 1, C: 2, H: 4, W: 5, kernel: 3, stride: 2, pad: 0 },
];

describe('maxpool2d (shaders/maxpool2d.wgsl)', () => {
  it('matches PyTorch on a hand-computed 4×4 example (kernel 3, stride 2, pad 1)', async () => {
    const s: MaxPool2dShape = { B: 1, C: 1, H: 4, W: 4, kernel: 3, stride: 2, pad: 1 };
    const run = async (x: Float32Array) => {
      const data = { ...maxpool.data(s, new Rng(1)), x, dy: Float32Array.of(1, 2, 3, 4) };
      return checkOp(gpu(), maxpool, s, { data });
    };
    const a = await run(Float32Array.from({ length: 16 }, (_, i) => i + 1));
    expect([...a.forward.y!]).toEqual([6, 8, 14, 16]);
    expect([...a.forward.argmax!]).toEqual([5, 7, 13, 15]);
    expect([...a.backward.dx!]).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
    // All equal: the first valid element of each window wins, and its gradient lands there.
    const flat = await run(new Float32Array(16).fill(0.5));
    expect([...flat.forward.argmax!]).toEqual([0, 1, 4, 5]);
    expect([...flat.backward.dx!]).toEqual([1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))(
    'y, argmax and dx match the reference: %s',
    async (_name, s, i) => {
      await checkOp(gpu(), maxpool, s, { seed: 10 + i });
      await checkOp(gpu(), maxpool, { ...s, ties: true }, { seed: 20 + i });
    },
  );

  it('dx matches central differences of Σ y ⊙ G', () => {
    const s: MaxPool2dShape = { B: 2, C: 3, H: 9, W: 7, kernel: 3, stride: 2, pad: 1 };
    expect(checkGradients(maxpool, s, 30)).toBe(25);
  });

  it('accumulates into dx', async () => {
    await checkOp(
      gpu(),
      maxpool,
      { B: 2, C: 3, H: 8, W: 9, kernel: 3, stride: 1, pad: 1, accumulate: true },
      { seed: 40 },
    );
  });

  it('is deterministic: the same inputs give bit-identical outputs', async () => {
    const s: Case = { B: 2, C: 5, H: 12, W: 9, kernel: 3, stride: 1, pad: 1, ties: true };
    const a = await checkOp(gpu(), maxpool, s, { seed: 50 });
    const b = await checkOp(gpu(), maxpool, s, { seed: 50 });
    expect(sameBits(a.backward.dx!, b.backward.dx!)).toBe(true);
    expect(sameBits(a.forward.y!, b.forward.y!)).toBe(true);
    expect(sameBits(a.forward.argmax!, b.forward.argmax!)).toBe(true);
  });

  it('names the limit it exceeds', async () => {
    const ctx = gpu();
    const side = Math.ceil(Math.sqrt(ctx.limits.maxStorageBufferBindingSize / 4)) + 1;
    const s: MaxPool2dShape = { B: 1, C: 1, H: side, W: side, kernel: 3, stride: 2, pad: 1 };
    await withBuffers(ctx, { tiny: new Float32Array(4) }, async ({ tiny }) => {
      const e = await planMaxPool2d(ctx, s, { x: tiny!, y: tiny!, argmax: tiny! }).catch(
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(GpuLimitError);
      expect((e as GpuLimitError).limit).toMatch(/^max(StorageBufferBindingSize|BufferSize)$/);
      expect((e as Error).message).toContain('lower the batch size or the image size');
    });
  });
});
