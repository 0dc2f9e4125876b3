// Per-image random factors of the image augmentations, drawn on the CPU from a seeded Rng and
// uploaded to the GPU (shaders/image_augment.wgsl). Pure: no GPU, no WGSL.
import type { Rng } from '../util/random';

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/** Jitter ops by code: the order array holds a permutation of these. */
export const BRIGHTNESS = 0;
export const CONTRAST = 1;
export const SATURATION = 2;

export interface ImageAugmentParams {
  /** Which source image (index into [M, 3, S, S]) this batch element reads. */
  src: number;
  /** Order in which brightness (0), contrast (1), saturation (2) are applied. */
  order: [number, number, number];
  brightness: number;
  contrast: number;
  saturation: number;
  flip: boolean;
}

export interface ImageAugmentConfig {
  /** ColorJitter strengths: factors are drawn from [max(0, 1 − x), 1 + x]. */
  brightness: number;
  contrast: number;
  saturation: number;
  /** Probability of a horizontal flip. */
  flipP: number;
}

/** CrossPoint's image augmentations: ColorJitter(0.4, 0.4, 0.4), RandomHorizontalFlip(0.5). */
export const CROSSPOINT_IMAGE_AUGMENT: ImageAugmentConfig = {
  brightness: 0.4,
  contrast: 0.4,
  saturation: 0.4,
  flipP: 0.5,
};

/**
 * Factors for each batch element, in batch order. Draw order per element (fixed, so a seed
 * reproduces a batch): (1) the op order, a Fisher-Yates shuffle of [0, 1, 2] (Rng.shuffle: two
 * draws), (2) brightness, (3) contrast, (4) saturation, each uniform in [max(0, 1 − x), 1 + x],
 * (5) one uniform u, flip when u < flipP. As torchvision's ColorJitter, a new order per image.
 */
export function drawImageAugment(
  rng: Rng,
  src: readonly number[],
  cfg: ImageAugmentConfig = CROSSPOINT_IMAGE_AUGMENT,
): ImageAugmentParams[] {
  const range = (x: number) => rng.uniform(Math.max(0, 1 - x), 1 + x);
  return src.map((s) => {
    const order = rng.shuffle([BRIGHTNESS, CONTRAST, SATURATION]) as [number, number, number];
    const brightness = range(cfg.brightness);
    const contrast = range(cfg.contrast);
    const saturation = range(cfg.saturation);
    const flip = rng.next() < cfg.flipP;
    return { src: s, order, brightness, contrast, saturation, flip };
  });
}

/** Bytes of one packed ImageParams struct (8 four-byte fields). */
export const IMAGE_PARAMS_BYTES = 32;

/** Packs params as the WGSL struct ImageParams { src, flip, o0, o1, o2: u32; b, c, s: f32 }. */
export function packImageAugment(params: readonly ImageAugmentParams[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(IMAGE_PARAMS_BYTES, params.length * IMAGE_PARAMS_BYTES));
  const dv = new DataView(buf);
  params.forEach((p, i) => {
    const o = i * IMAGE_PARAMS_BYTES;
    dv.setUint32(o, p.src, true);
    dv.setUint32(o + 4, p.flip ? 1 : 0, true);
    dv.setUint32(o + 8, p.order[0], true);
    dv.setUint32(o + 12, p.order[1], true);
    dv.setUint32(o + 16, p.order[2], true);
    dv.setFloat32(o + 20, p.brightness, true);
    dv.setFloat32(o + 24, p.contrast, true);
    dv.setFloat32(o + 28, p.saturation, true);
  });
  return buf;
}
