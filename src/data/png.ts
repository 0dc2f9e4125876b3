// PNG encoding of rendered views (fast-png), so a view can be saved and looked at.
import { encode } from 'fast-png';
import type { GpuContext } from '../gpu/context';
import { readViewRgba8 } from '../kernels/render';

/** RGBA8 pixels [H, W, 4] → PNG file bytes. */
export function encodeRgbaPng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  if (rgba.length !== width * height * 4)
    throw new Error(`encodeRgbaPng: ${rgba.length} bytes for ${width}×${height}`);
  return encode({ width, height, data: rgba, channels: 4, depth: 8 });
}

/** Read view `image` of an image tensor [*, 3, S, S] back and encode it as a PNG file. */
export async function readViewPng(ctx: GpuContext, images: GPUBuffer, image: number, size: number) {
  return encodeRgbaPng(await readViewRgba8(ctx, images, image, size), size, size);
}
