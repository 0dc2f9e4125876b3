// Reference for shaders/image_augment.wgsl (float64, with the factors rounded to f32 as the GPU
// sees them): torchvision ColorJitter in the drawn order, horizontal flip, Normalize.
import {
  BRIGHTNESS,
  CONTRAST,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type ImageAugmentParams,
} from './image_augment-params';

const gray = (r: number, g: number, b: number) => 0.2989 * r + 0.587 * g + 0.114 * b;
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** images: [M, 3, S, S] in [0, 1] → [B, 3, S, S] normalised. */
export function imageAugmentRef(
  images: Float32Array,
  size: number,
  params: readonly ImageAugmentParams[],
  mean: readonly number[] = IMAGENET_MEAN,
  std: readonly number[] = IMAGENET_STD,
): Float32Array {
  const plane = size * size;
  const out = new Float32Array(params.length * 3 * plane);
  params.forEach((p, bi) => {
    const f = Math.fround;
    const fb = f(p.brightness);
    const fc = f(p.contrast);
    const fs = f(p.saturation);
    // Working copy [3, S*S] of the source image, jittered op by op over the whole image.
    const r = new Float64Array(plane);
    const g = new Float64Array(plane);
    const b = new Float64Array(plane);
    const base = p.src * 3 * plane;
    for (let i = 0; i < plane; i++) {
      r[i] = images[base + i]!;
      g[i] = images[base + plane + i]!;
      b[i] = images[base + 2 * plane + i]!;
    }
    for (const op of p.order) {
      if (op === BRIGHTNESS) {
        for (let i = 0; i < plane; i++) {
          r[i] = clamp01(fb * r[i]!);
          g[i] = clamp01(fb * g[i]!);
          b[i] = clamp01(fb * b[i]!);
        }
      } else if (op === CONTRAST) {
        let s = 0;
        for (let i = 0; i < plane; i++) s += gray(r[i]!, g[i]!, b[i]!);
        const m = s / plane;
        for (let i = 0; i < plane; i++) {
          r[i] = clamp01(fc * r[i]! + (1 - fc) * m);
          g[i] = clamp01(fc * g[i]! + (1 - fc) * m);
          b[i] = clamp01(fc * b[i]! + (1 - fc) * m);
        }
      } else {
        for (let i = 0; i < plane; i++) {
          const y = gray(r[i]!, g[i]!, b[i]!);
          r[i] = clamp01(fs * r[i]! + (1 - fs) * y);
          g[i] = clamp01(fs * g[i]! + (1 - fs) * y);
          b[i] = clamp01(fs * b[i]! + (1 - fs) * y);
        }
      }
    }
    const o = bi * 3 * plane;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = y * size + x;
        const j = y * size + (p.flip ? size - 1 - x : x);
        out[o + i] = (r[j]! - mean[0]!) / std[0]!;
        out[o + plane + i] = (g[j]! - mean[1]!) / std[1]!;
        out[o + 2 * plane + i] = (b[j]! - mean[2]!) / std[2]!;
      }
    }
  });
  return out;
}
