import {
  type AugmentDraw,
  type PointAugmentOptions,
  packCloudParams,
  pointKey,
  pointRand,
  unitFloat,
} from './point_augment-params';

/**
 * Reference for shaders/point_augment.wgsl in float64: points [B, N, 3] → [B, 3, N], from the same
 * uploaded (float32) parameters and the same per-point hash, so dropout decisions match exactly
 * and positions to float32 rounding. Also returns the dropped mask [B, N] for the tests.
 */
export function pointAugmentRef(
  points: Float32Array,
  B: number,
  N: number,
  draw: AugmentDraw,
  o: PointAugmentOptions,
): { out: Float32Array; dropped: Uint8Array } {
  const cp = packCloudParams(draw); // the f32 values the GPU sees
  const out = new Float32Array(B * 3 * N);
  const dropped = new Uint8Array(B * N);
  const std = Math.fround(o.jitter?.std ?? 0);
  const clip = Math.fround(o.jitter?.clip ?? 0);
  for (let b = 0; b < B; b++) {
    const [cs, sn, scale, tx, ty, tz, ratio] = Array.from(cp.subarray(b * 8, b * 8 + 7));
    const at = (i: number) => [
      points[(b * N + i) * 3]!,
      points[(b * N + i) * 3 + 1]!,
      points[(b * N + i) * 3 + 2]!,
    ];
    const c = [0, 0, 0];
    if (o.normalize) {
      for (let i = 0; i < N; i++) for (let k = 0; k < 3; k++) c[k]! += at(i)[k]!;
      for (let k = 0; k < 3; k++) c[k]! /= N;
    }
    const rot = (q: number[]) => [cs! * q[0]! + sn! * q[2]!, q[1]!, -sn! * q[0]! + cs! * q[2]!];
    let m2 = 0;
    const mn = [Infinity, Infinity, Infinity];
    const mx = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < N; i++) {
      const q = at(i).map((v, k) => v - c[k]!);
      m2 = Math.max(m2, q[0]! ** 2 + q[1]! ** 2 + q[2]! ** 2);
      const r = rot(q);
      for (let k = 0; k < 3; k++) {
        mn[k] = Math.min(mn[k]!, r[k]!);
        mx[k] = Math.max(mx[k]!, r[k]!);
      }
    }
    const m = Math.sqrt(m2);
    const kScale = o.normalize && m > 0 ? scale! / m : scale!;
    const t = [tx!, ty!, tz!].map((v, k) => v * (mx[k]! - mn[k]!) * kScale);
    const augmented = (i: number) => {
      const r = rot(at(i).map((v, k) => v - c[k]!));
      const v = r.map((x, k) => x * kScale + t[k]!);
      if (o.jitter) {
        const key = pointKey(draw.seed, b, i);
        const r0 = Math.sqrt(-2 * Math.log(unitFloat(pointRand(key, 0))));
        const a0 = 2 * Math.PI * unitFloat(pointRand(key, 1));
        const r1 = Math.sqrt(-2 * Math.log(unitFloat(pointRand(key, 2))));
        const a1 = 2 * Math.PI * unitFloat(pointRand(key, 3));
        const z = [r0 * Math.cos(a0), r0 * Math.sin(a0), r1 * Math.cos(a1)];
        for (let k = 0; k < 3; k++) v[k]! += Math.min(clip, Math.max(-clip, std * z[k]!));
      }
      return v;
    };
    for (let i = 0; i < N; i++) {
      let j = i;
      if (o.dropout && unitFloat(pointRand(pointKey(draw.seed, b, i), 4)) <= ratio!) {
        j = 0;
        dropped[b * N + i] = 1;
      }
      const v = augmented(j);
      for (let k = 0; k < 3; k++) out[b * 3 * N + k * N + i] = v[k]!;
    }
  }
  return { out, dropped };
}
