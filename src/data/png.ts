// PNG encoding of rendered views (fast-png), so a view can be saved and looked at.
import { encode } from 'fast-png';

/** RGBA8 pixels [H, W, 4] → PNG file bytes. */
export function encodeRgbaPng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  if (rgba.length !== width * height * 4)
    throw new Error(`encodeRgbaPng: ${rgba.length} bytes for ${width}×${height}`);
  return encode({ width, height, data: rgba, channels: 4, depth: 8 });
}
