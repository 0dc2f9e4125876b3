import type { Rng } from '../util/random';

/**
 * CrossPoint's point-cloud augmentations (DESIGN.md §1), in this order: normalise to the unit
 * sphere, scale U(0.5, 2), rotate about the up axis (y) U(0, 2π), translate U(−0.5, 0.5)·bbox
 * extent, jitter N(0, 0.01) clipped to ±0.05, dropout with ratio U(0, 0.875) (dropped points take
 * point 0's value). Per-cloud parameters are drawn here on the CPU; per-point randomness comes from
 * the counter-based hash below, identical in WGSL (shaders/point_augment.wgsl) and TypeScript.
 * Pure helpers: no WGSL import, so the UI and e2e code can use them.
 */
export interface PointAugmentOptions {
  /** Centre on the centroid and divide by the largest distance from it. */
  normalize: boolean;
  /** Uniform scale range, or null for none. */
  scale: [number, number] | null;
  /** Random rotation about y in [0, 2π). */
  rotate: boolean;
  /** Translation range r: t ~ U(−r, r)·extent per axis, or null. */
  translate: number | null;
  /** Gaussian jitter per coordinate, clipped, or null. */
  jitter: { std: number; clip: number } | null;
  /** Largest dropout ratio (ratio ~ U(0, max)), or null. */
  dropout: number | null;
}

/** The pretraining augmentations of the paper. */
export const CROSSPOINT_AUGMENT: PointAugmentOptions = {
  normalize: true,
  scale: [0.5, 2],
  rotate: true,
  translate: 0.5,
  jitter: { std: 0.01, clip: 0.05 },
  dropout: 0.875,
};

/** Only normalisation (evaluation / feature extraction). */
export const NO_AUGMENT: PointAugmentOptions = {
  normalize: true,
  scale: null,
  rotate: false,
  translate: null,
  jitter: null,
  dropout: null,
};

export interface CloudParams {
  scale: number;
  /** Rotation angle about y, radians. */
  angle: number;
  /** Translation as a fraction of the bbox extent, per axis. */
  translate: [number, number, number];
  dropRatio: number;
}

export interface AugmentDraw {
  /** Key of the per-point hash for this batch. */
  seed: number;
  clouds: CloudParams[];
}

/**
 * Draws one batch's parameters. Order (fixed, so a seed reproduces a run): seed = rng.nextU32();
 * then for each cloud b = 0..B−1: scale, angle, tx, ty, tz, dropRatio — six rng.next() draws
 * each, always consumed; a disabled augmentation then takes its neutral value.
 */
export function drawAugmentParams(rng: Rng, B: number, o: PointAugmentOptions): AugmentDraw {
  const seed = rng.nextU32();
  const clouds: CloudParams[] = [];
  for (let b = 0; b < B; b++) {
    const u = [rng.next(), rng.next(), rng.next(), rng.next(), rng.next(), rng.next()] as const;
    const r = o.translate ?? 0;
    clouds.push({
      scale: o.scale ? o.scale[0] + (o.scale[1] - o.scale[0]) * u[0] : 1,
      angle: o.rotate ? 2 * Math.PI * u[1] : 0,
      translate: [(2 * u[2] - 1) * r, (2 * u[3] - 1) * r, (2 * u[4] - 1) * r],
      dropRatio: o.dropout ? o.dropout * u[5] : 0,
    });
  }
  return { seed, clouds };
}

/** Words per cloud in the uploaded parameter buffer: cos θ, sin θ, scale, tx, ty, tz, dropRatio, 0. */
export const CLOUD_PARAM_WORDS = 8;

/** [B·8] f32 as the shader reads it. */
export function packCloudParams(d: AugmentDraw): Float32Array {
  const out = new Float32Array(d.clouds.length * CLOUD_PARAM_WORDS);
  d.clouds.forEach((c, b) => {
    out.set(
      [
        Math.cos(c.angle),
        Math.sin(c.angle),
        c.scale,
        c.translate[0],
        c.translate[1],
        c.translate[2],
        c.dropRatio,
        0,
      ],
      b * CLOUD_PARAM_WORDS,
    );
  });
  return out;
}

// ---- per-point counter-based random numbers (same bit operations as the WGSL) ----

/** 32-bit integer mixer (xor-shift-multiply, "lowbias32" constants). */
export function hash32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Key of point `point` of cloud `cloud` in the batch keyed by `seed`. */
export function pointKey(seed: number, cloud: number, point: number): number {
  return hash32((seed ^ hash32((Math.imul(cloud, 0x9e3779b9) ^ hash32(point)) >>> 0)) >>> 0);
}

/** Stream k of a point: 0..3 feed the jitter (Box–Muller), 4 the dropout draw. */
export function pointRand(key: number, stream: number): number {
  return hash32((key ^ hash32((stream + 0x632be5ab) >>> 0)) >>> 0);
}

/** A uniform in (0, 1) from 23 bits, exact in float32 and float64 alike. */
export function unitFloat(r: number): number {
  return ((r >>> 9) + 0.5) / 8388608;
}
