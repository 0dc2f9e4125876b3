import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type OpSpec, withBuffers } from '../../test/op-check';
import { submitAndWait } from '../gpu/buffers';
import { createViewStore8, type ViewStore8, viewStoreBytes } from '../gpu/view-store';
import { Rng } from '../util/random';
import { planImageAugment } from './image_augment';
import { drawImageAugment, IMAGENET_STD, type ImageAugmentParams } from './image_augment-params';
import { planViewGatherU8, type ViewGatherOp } from './view_gather_u8';
import { viewGatherU8Ref } from './view_gather_u8.ref';

const gpu = setupGpu();

/** M random RGBA8 views of S×S. */
function randomViews(m: number, size: number, rng: Rng): Uint8Array[] {
  return Array.from({ length: m }, () => Uint8Array.from({ length: size * size * 4 }, () => rng.int(256)));
}

/** A batch of B views gathered from M views of S×S in a store sharded every `per` views. */
interface GatherCase {
  B: number;
  M: number;
  S: number;
  per: number;
}

/** The case's store contents and batch sources, drawn from its own seed (they live outside `data`). */
function caseViews(s: GatherCase) {
  const rng = new Rng(s.B * 100 + s.S);
  const views = randomViews(s.M, s.S, rng);
  return { views, src: Array.from({ length: s.B }, () => rng.int(s.M)) };
}

type GatherPlan = ViewGatherOp & { shards: number };

// A data input (8-bit views into the f32 batch): forward only.
const gather: OpSpec<GatherCase, GatherPlan> = {
  name: 'view gather u8',
  // Poison: every output element must be written by exactly one shard's pass.
  data: (s) => ({ out: new Float32Array(s.B * 3 * s.S * s.S).fill(-7) }), // [B, 3, S, S]
  plan: async (ctx, s, b) => {
    const { views, src } = caseViews(s);
    const store: ViewStore8 = createViewStore8(ctx, s.M, s.S, 'test.views8', s.per * viewStoreBytes(1, s.S));
    for (const [i, v] of views.entries()) store.write(i, v);
    const op = await planViewGatherU8(ctx, { batch: s.B }, { store, out: b.out! });
    op.setSources(src);
    return {
      ...op,
      shards: store.shards.length,
      destroy() {
        op.destroy();
        store.destroy();
      },
    };
  },
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref: (s) => {
      const { views, src } = caseViews(s);
      return { out: viewGatherU8Ref(views, src, s.S) };
    },
    // unpack4x8unorm is byte / 255 in f32 (WGSL allows it inexact): within one f32 ulp of 1.
    tol: [2 ** -23, 0],
  },
};

describe('view gather from 8-bit RGBA (shaders/view_gather_u8.wgsl)', () => {
  // Sizes: one pixel, odd sizes around a workgroup (256 pixels), R2N2's 137; batches from 1 to a
  // prime with repeated views; stores of one shard, one view a shard, and a short last shard.
  it.each([
    [1, 1, 1, 1],
    [3, 4, 7, 1],
    [5, 11, 13, 3],
    [7, 6, 17, 6],
    [2, 3, 137, 2],
  ])('matches the reference for B = %i, M = %i, S = %i, %i views a shard', async (B, M, S, per) => {
    const r = await checkOp(gpu(), gather, { B, M, S, per });
    expect(r.op.shards).toBe(Math.ceil(M / per));
  });

  it('refuses a view outside the store before any work', async () => {
    const ctx = gpu();
    const store = createViewStore8(ctx, 3, 2);
    await withBuffers(ctx, { out: new Float32Array(2 * 3 * 4) }, async (b) => {
      const op = await planViewGatherU8(ctx, { batch: 2 }, { store, out: b.out! });
      expect(() => op.setSources([0, 3])).toThrow('view gather: view 3 outside the store (3 views)');
      expect(() => op.setSources([0])).toThrow('view gather: 1 sources for a batch of 2');
      op.destroy();
    });
    store.destroy();
  });
});

describe('8-bit views against the float path', () => {
  /**
   * The same views kept as f32 (the float path: augment reads the f32 tensor) and as their 8-bit
   * rounding (gathered, then augmented in batch order): equal to the rounding, i.e. within half a
   * step of 1/255 before normalisation, ×1/std after it (×2.2 more under jitter, whose brightness,
   * contrast and saturation factors reach 1.4 and mix channels).
   */
  it.each([
    ['no augmentation', false],
    ['CrossPoint jitter and flips', true],
  ])('%s', async (_, augment) => {
    const ctx = gpu();
    const M = 5;
    const S = 19;
    const B = 6;
    const plane = S * S;
    const rng = new Rng(augment ? 2 : 1);
    const f32 = new Float32Array(M * 3 * plane).map(() => rng.next()); // [M, 3, S, S] in [0, 1)
    const views8 = Array.from({ length: M }, (_, m) => {
      const rgba = new Uint8Array(plane * 4).fill(255);
      for (let i = 0; i < plane; i++)
        for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.round(f32[(m * 3 + c) * plane + i]! * 255);
      return rgba;
    });
    const src = Array.from({ length: B }, () => rng.int(M));
    const params: ImageAugmentParams[] = augment
      ? drawImageAugment(rng, src)
      : src.map((s) => ({
          src: s,
          order: [0, 1, 2],
          brightness: 1,
          contrast: 1,
          saturation: 1,
          flip: false,
        }));

    const data = {
      floatImages: f32, // [M, 3, S, S]
      floatOut: new Float32Array(B * 3 * plane), // [B, 3, S, S]
      batch: new Float32Array(B * 3 * plane), // [B, 3, S, S]
      u8Out: new Float32Array(B * 3 * plane), // [B, 3, S, S]
    };
    const { want, got } = await withBuffers(ctx, data, async (b, read) => {
      const floatOp = await planImageAugment(
        ctx,
        { batch: B, size: S, images: M },
        { images: b.floatImages!, out: b.floatOut! },
      );
      floatOp.setParams(params);
      const store = createViewStore8(ctx, M, S);
      for (const [i, v] of views8.entries()) store.write(i, v);
      const gather = await planViewGatherU8(ctx, { batch: B }, { store, out: b.batch! });
      gather.setSources(src);
      const u8Op = await planImageAugment(
        ctx,
        { batch: B, size: S, images: B },
        { images: b.batch!, out: b.u8Out! },
      );
      u8Op.setParams(params.map((p, i) => ({ ...p, src: i })));
      try {
        await submitAndWait(ctx, (enc) => {
          floatOp.encode(enc);
          gather.encode(enc);
          u8Op.encode(enc);
        });
        return { want: await read('floatOut'), got: await read('u8Out') };
      } finally {
        for (const x of [floatOp, u8Op, gather, store]) x.destroy();
      }
    });

    const step = 0.5 / 255 / Math.min(...IMAGENET_STD);
    const tol = (augment ? 2.2 : 1) * step + 1e-5;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(tol);
    expect(worst).toBeGreaterThan(0); // the rounding is there: the two paths differ, by at most it
  });
});
