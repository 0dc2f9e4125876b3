import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { createViewStore8, viewStoreBytes } from '../gpu/view-store';
import { Rng } from '../util/random';
import { planImageAugment } from './image_augment';
import { drawImageAugment, IMAGENET_STD, type ImageAugmentParams } from './image_augment-params';
import { planViewGatherU8 } from './view_gather_u8';
import { viewGatherU8Ref } from './view_gather_u8.ref';

const gpu = setupGpu();

/** M random RGBA8 views of S×S. */
function randomViews(m: number, size: number, rng: Rng): Uint8Array[] {
  return Array.from({ length: m }, () => Uint8Array.from({ length: size * size * 4 }, () => rng.int(256)));
}

/** The batch gathered by the kernel from a store sharded every `perShard` views. */
async function gatherGpu(views: Uint8Array[], size: number, src: number[], perShard: number) {
  const ctx = gpu();
  const store = createViewStore8(ctx, views.length, size, 'test.views8', perShard * viewStoreBytes(1, size));
  for (const [i, v] of views.entries()) store.write(i, v);
  const out = createStorageBuffer(ctx, src.length * 3 * size * size * 4);
  // Poison: every output element must be written by exactly one shard's pass.
  ctx.device.queue.writeBuffer(out, 0, new Float32Array(src.length * 3 * size * size).fill(-7));
  const op = await planViewGatherU8(ctx, { batch: src.length }, { store, out });
  op.setSources(src);
  await submitAndWait(ctx, (enc) => op.encode(enc));
  const got = await readF32(ctx, out, src.length * 3 * size * size);
  const shards = store.shards.length;
  op.destroy();
  out.destroy();
  store.destroy();
  return { got, shards };
}

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
    const rng = new Rng(B * 100 + S);
    const views = randomViews(M, S, rng);
    const src = Array.from({ length: B }, () => rng.int(M));
    const { got, shards } = await gatherGpu(views, S, src, per);
    expect(shards).toBe(Math.ceil(M / per));
    const want = viewGatherU8Ref(views, src, S);
    // unpack4x8unorm is byte / 255 in f32 (WGSL allows it inexact): within one f32 ulp of 1.
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(2 ** -23);
  });

  it('refuses a view outside the store before any work', async () => {
    const ctx = gpu();
    const store = createViewStore8(ctx, 3, 2);
    const out = createStorageBuffer(ctx, 2 * 3 * 4 * 4);
    const op = await planViewGatherU8(ctx, { batch: 2 }, { store, out });
    expect(() => op.setSources([0, 3])).toThrow('view gather: view 3 outside the store (3 views)');
    expect(() => op.setSources([0])).toThrow('view gather: 1 sources for a batch of 2');
    op.destroy();
    out.destroy();
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

    const floatImages = createBufferFrom(ctx, f32);
    const floatOut = createStorageBuffer(ctx, B * 3 * plane * 4);
    const floatOp = await planImageAugment(
      ctx,
      { batch: B, size: S, images: M },
      { images: floatImages, out: floatOut },
    );
    floatOp.setParams(params);

    const store = createViewStore8(ctx, M, S);
    for (const [i, v] of views8.entries()) store.write(i, v);
    const batch = createStorageBuffer(ctx, B * 3 * plane * 4); // [B, 3, S, S]
    const gather = await planViewGatherU8(ctx, { batch: B }, { store, out: batch });
    gather.setSources(src);
    const u8Out = createStorageBuffer(ctx, B * 3 * plane * 4);
    const u8Op = await planImageAugment(ctx, { batch: B, size: S, images: B }, { images: batch, out: u8Out });
    u8Op.setParams(params.map((p, b) => ({ ...p, src: b })));

    await submitAndWait(ctx, (enc) => {
      floatOp.encode(enc);
      gather.encode(enc);
      u8Op.encode(enc);
    });
    const want = await readF32(ctx, floatOut, B * 3 * plane);
    const got = await readF32(ctx, u8Out, B * 3 * plane);
    for (const x of [floatOp, u8Op, gather, store]) x.destroy();
    for (const b of [floatImages, floatOut, batch, u8Out]) b.destroy();

    const step = 0.5 / 255 / Math.min(...IMAGENET_STD);
    const tol = (augment ? 2.2 : 1) * step + 1e-5;
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(tol);
    expect(worst).toBeGreaterThan(0); // the rounding is there: the two paths differ, by at most it
  });
});
