import { convertIndexedToRgb, decode } from 'fast-png';
import { DataFormatError } from '../errors';

/** A decoded view: 8-bit RGB, row-major [height, width, 3]. */
export interface RgbImage {
  width: number;
  height: number;
  /** [height·width·3] */
  rgb: Uint8Array;
}

/** Views larger than this many pixels are refused (R2N2 views are 137×137). */
const MAX_PIXELS = 8192 * 8192;
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a PNG with fast-png into 8-bit RGB. Alpha is dropped without compositing, as PIL's
 * `convert('RGB')` in the reference does; palettes are expanded, 16-bit samples keep their high byte,
 * 1/2/4-bit grey is scaled to 0..255.
 */
export function decodePngRgb(file: string, bytes: Uint8Array): RgbImage {
  if (!SIGNATURE.every((b, i) => bytes[i] === b))
    throw new DataFormatError(file, { byte: 0 }, 'not a PNG file (bad signature)');
  if (bytes.length < 24)
    throw new DataFormatError(file, { byte: bytes.length }, 'the PNG ends inside its header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const w = dv.getUint32(16);
  const h = dv.getUint32(20);
  if (w === 0 || h === 0 || w * h > MAX_PIXELS) {
    throw new DataFormatError(
      file,
      { byte: 16 },
      `a ${w}×${h} image is empty or too large (max ${MAX_PIXELS} pixels)`,
    );
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new DataFormatError(file, { byte: 8 }, `PNG could not be decoded: ${(e as Error).message}`);
  }
  const n = png.width * png.height;
  const rgb = new Uint8Array(n * 3);
  if (png.palette) {
    const full = convertIndexedToRgb(png);
    const ch = full.length / n;
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) rgb[i * 3 + k] = full[i * ch + k]!;
    return { width: png.width, height: png.height, rgb };
  }
  const ch = png.channels;
  const sample = samples(file, png.data, png.depth, png.width, png.height, ch);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) rgb[i * 3 + k] = ch >= 3 ? sample(i * ch + k) : sample(i * ch); // grey → r = g = b
  }
  return { width: png.width, height: png.height, rgb };
}

/** Accessor for the s-th sample scaled to 0..255, whatever the bit depth. */
function samples(file: string, data: ArrayLike<number>, depth: number, w: number, h: number, ch: number) {
  if (depth === 8) return (s: number) => data[s]!;
  if (depth === 16) return (s: number) => data[s]! >> 8;
  if (depth === 1 || depth === 2 || depth === 4) {
    // Packed grey: rows start on a byte boundary.
    const rowBytes = Math.ceil((w * ch * depth) / 8);
    const max = (1 << depth) - 1;
    if (data.length < rowBytes * h) throw new DataFormatError(file, { byte: 8 }, 'PNG pixel data is short');
    return (s: number) => {
      const y = Math.floor(s / (w * ch));
      const bit = (s % (w * ch)) * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      return Math.round((((byte >> (8 - depth - (bit & 7))) & max) * 255) / max);
    };
  }
  throw new DataFormatError(file, { byte: 24 }, `unsupported PNG bit depth ${depth}`);
}
