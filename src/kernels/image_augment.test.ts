import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type OpSpec, withBuffers } from '../../test/op-check';
import { Rng } from '../util/random';
import { type ImageAugmentOp, planImageAugment } from './image_augment';
import {
  drawImageAugment,
  type ImageAugmentParams,
  IMAGENET_MEAN,
  IMAGENET_STD,
} from './image_augment-params';
import { imageAugmentRef } from './image_augment.ref';

const gpu = setupGpu();

/** M source views of S×S, augmented into a batch of params.length. */
interface AugmentCase {
  M: number;
  S: number;
  params: ImageAugmentParams[];
}

// Data augmentation of the input views: forward only (nothing upstream of it is trained).
const augment: OpSpec<AugmentCase, ImageAugmentOp> = {
  name: 'image augment',
  data: (s, rng) => ({
    images: views(s.M, s.S, rng), // [M, 3, S, S]
    out: new Float32Array(s.params.length * 3 * s.S * s.S), // [B, 3, S, S]
  }),
  plan: async (ctx, s, b) => {
    const op = await planImageAugment(
      ctx,
      { batch: s.params.length, size: s.S, images: s.M },
      { images: b.images!, out: b.out! },
    );
    op.setParams(s.params);
    return op;
  },
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref: (s, d) => ({ out: imageAugmentRef(d.images as Float32Array, s.S, s.params) }),
    tol: [2e-5, 1e-5],
  },
};

/** The GPU's batch for these views and params, checked against the reference by checkOp. */
async function runGpu(images: Float32Array, m: number, size: number, params: ImageAugmentParams[]) {
  const data = { images, out: new Float32Array(params.length * 3 * size * size) };
  const r = await checkOp(gpu(), augment, { M: m, S: size, params }, { data });
  return r.forward.out as Float32Array;
}

/** Source views with structure (gradients, saturated and dark areas), not just noise. */
function views(m: number, size: number, rng: Rng): Float32Array {
  const plane = size * size;
  const a = new Float32Array(m * 3 * plane);
  for (let k = 0; k < m; k++) {
    for (let c = 0; c < 3; c++) {
      const phase = rng.uniform(0, 6);
      for (let i = 0; i < plane; i++) {
        const x = (i % size) / size;
        const y = Math.floor(i / size) / size;
        const v = 0.5 + 0.6 * Math.sin(phase + 5 * x * (c + 1) + 3 * y) + rng.uniform(-0.1, 0.1);
        a[(k * 3 + c) * plane + i] = Math.min(1, Math.max(0, v));
      }
    }
  }
  return a;
}

describe('image augment (shaders/image_augment.wgsl)', () => {
  // Sizes: 1 pixel, odd sizes below and above one workgroup (256), 64×64 (several loop trips),
  // and the batch from 1 up to a prime with more batch elements than source images.
  it.each([
    [1, 1, 1],
    [3, 2, 5],
    [7, 4, 17],
    [5, 3, 64],
    [2, 2, 137],
  ])('matches the reference for B = %i, M = %i, S = %i', async (B, M, S) => {
    const rng = new Rng(B * 1000 + S);
    const images = views(M, S, rng);
    const src = Array.from({ length: B }, () => rng.int(M));
    const params = drawImageAugment(rng, src);
    await runGpu(images, M, S, params); // compares with the reference at [2e-5, 1e-5]
  });

  it('covers every op order and both flips, with strong factors that clamp', async () => {
    const S = 9;
    const rng = new Rng(3);
    const images = views(2, S, rng);
    const orders: [number, number, number][] = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    const params: ImageAugmentParams[] = orders.map((order, i) => ({
      src: i % 2,
      order,
      brightness: 1.4,
      contrast: 0.6,
      saturation: 1.4,
      flip: i % 3 === 0,
    }));
    await runGpu(images, 2, S, params); // compares with the reference at [2e-5, 1e-5]
    const want = imageAugmentRef(images, S, params);
    // The order matters for these factors: the six outputs are not all equal.
    const plane = 3 * S * S;
    const first = want.subarray(0, plane);
    const third = want.subarray(2 * plane, 3 * plane); // same source as the first, other order, no flip
    let diff = 0;
    for (let i = 0; i < plane; i++) diff = Math.max(diff, Math.abs(first[i]! - third[i]!));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('with identity factors it only flips and normalises (ImageNet mean/std)', async () => {
    const S = 4;
    const images = views(1, S, new Rng(9));
    const id = {
      src: 0,
      order: [0, 1, 2] as [number, number, number],
      brightness: 1,
      contrast: 1,
      saturation: 1,
    };
    const got = await runGpu(images, 1, S, [
      { ...id, flip: false },
      { ...id, flip: true },
    ]);
    const plane = S * S;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const v = images[c * plane + y * S + x]!;
          const want = (v - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
          expect(got[c * plane + y * S + x]).toBeCloseTo(want, 5);
          expect(got[3 * plane + c * plane + y * S + (S - 1 - x)]).toBeCloseTo(want, 5);
        }
      }
    }
  });

  it('is deterministic: the same seed gives bit-identical batches', async () => {
    const S = 23;
    const images = views(3, S, new Rng(1));
    const a = await runGpu(images, 3, S, drawImageAugment(new Rng(42), [0, 1, 2, 2]));
    const b = await runGpu(images, 3, S, drawImageAugment(new Rng(42), [0, 1, 2, 2]));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const c = await runGpu(images, 3, S, drawImageAugment(new Rng(43), [0, 1, 2, 2]));
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('draws factors in the ColorJitter ranges, a permutation of the ops and flips about half the time', () => {
    const p = drawImageAugment(
      new Rng(5),
      Array.from({ length: 600 }, (_, i) => i),
    );
    let flips = 0;
    for (const q of p) {
      for (const f of [q.brightness, q.contrast, q.saturation]) {
        expect(f).toBeGreaterThanOrEqual(0.6);
        expect(f).toBeLessThan(1.4);
      }
      expect([...q.order].sort()).toEqual([0, 1, 2]);
      if (q.flip) flips++;
    }
    expect(flips / p.length).toBeGreaterThan(0.43);
    expect(flips / p.length).toBeLessThan(0.57);
    expect(new Set(p.map((q) => q.order.join(''))).size).toBe(6);
  });

  it('rejects a source index outside the source views', async () => {
    const ctx = gpu();
    const data = { images: new Float32Array(3 * 4 * 4), out: new Float32Array(3 * 4 * 4) };
    await withBuffers(ctx, data, async (b) => {
      const op = await planImageAugment(
        ctx,
        { batch: 1, size: 4, images: 1 },
        { images: b.images!, out: b.out! },
      );
      expect(() => op.setParams(drawImageAugment(new Rng(1), [1]))).toThrow('source image 1 not in [0, 1)');
      op.destroy();
    });
  });
});
