// Launcher of shaders/image_augment.wgsl: colour jitter, horizontal flip and normalisation of a
// batch of views, gathered from a tensor of source images by index. Factors are drawn on the CPU
// (drawImageAugment) and uploaded with setParams() before encode().
import augmentWgsl from '../../shaders/image_augment.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import {
  IMAGE_PARAMS_BYTES,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type ImageAugmentParams,
  packImageAugment,
} from './image_augment-params';

const WG = 256;

export interface ImageAugmentOp {
  /** Upload the per-image factors (length = batch; src < images). */
  setParams(params: readonly ImageAugmentParams[]): void;
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/**
 * images: [M, 3, S, S] f32 in [0, 1]; out: [B, 3, S, S] f32 (a different buffer).
 * `images` is M (the number of source views), used only to check indices.
 */
export async function planImageAugment(
  ctx: GpuContext,
  shape: { batch: number; size: number; images: number },
  bufs: { images: GPUBuffer; out: GPUBuffer },
  norm: { mean: readonly number[]; std: readonly number[] } = { mean: IMAGENET_MEAN, std: IMAGENET_STD },
): Promise<ImageAugmentOp> {
  const { batch: B, size: S, images: M } = shape;
  if (bufs.images === bufs.out) throw new Error('image augment: images and out must be different buffers');
  checkBufferSize(ctx.limits, M * 3 * S * S * 4, 'the source views', 'the number of views or the image size');
  checkBufferSize(ctx.limits, B * 3 * S * S * 4, 'the augmented batch', 'the batch or the image size');
  const meanPipe = await ctx.pipelines.compute(augmentWgsl, 'mean', { WG }, 'image_augment');
  const applyPipe = await ctx.pipelines.compute(augmentWgsl, 'apply', { WG }, 'image_augment');
  const params = createStorageBuffer(ctx, B * IMAGE_PARAMS_BYTES, 'image_augment.params');
  const means = createStorageBuffer(ctx, B * 4, 'image_augment.means'); // [B]
  const dims = createParams(ctx, 'image_augment.dims', [
    ['u32', B],
    ['u32', S],
    ['f32', norm.mean[0]!],
    ['f32', norm.mean[1]!],
    ['f32', norm.mean[2]!],
    ['f32', norm.std[0]!],
    ['f32', norm.std[1]!],
    ['f32', norm.std[2]!],
  ]);
  const all = [bufs.images, params, means, bufs.out, dims.buffer];
  // Each entry point's auto layout only lists the bindings it uses: `mean` does not touch out.
  const meanBind = ctx.device.createBindGroup({
    layout: meanPipe.getBindGroupLayout(0),
    entries: [0, 1, 2, 4].map((binding) => ({ binding, resource: { buffer: all[binding]! } })),
  });
  const applyBind = bindBuffers(ctx, applyPipe, all, 'image_augment.apply');
  const meanGroups = grid1D(ctx, B);
  const applyGroups = grid1D(ctx, Math.ceil((B * S * S) / WG));
  let ready = false;
  return {
    setParams(p) {
      if (p.length !== B) throw new Error(`image augment: ${p.length} params for a batch of ${B}`);
      for (const q of p) {
        if (!(q.src >= 0 && q.src < M))
          throw new Error(`image augment: source image ${q.src} not in [0, ${M})`);
      }
      ctx.device.queue.writeBuffer(params, 0, packImageAugment(p));
      ready = true;
    },
    encode(enc) {
      if (!ready) throw new Error('image augment: setParams() was never called');
      encodePass(enc, meanPipe, meanBind, meanGroups, 'image_augment.mean');
      encodePass(enc, applyPipe, applyBind, applyGroups, 'image_augment.apply');
    },
    destroy() {
      params.destroy();
      means.destroy();
      dims.buffer.destroy();
    },
  };
}
