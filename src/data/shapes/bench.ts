// Benches: long solid or slatted seats on four legs, two side panels, A-frames or round legs;
// backless or with a solid or slatted backrest; optional arms.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import { box, cylinder, extrude, type MeshBuilder, mul, Rx, Ry, T, type Vec2 } from './primitives';
import { BENCH_PARTS } from './part-ids';

export function bench(rng: Rng, b: MeshBuilder): void {
  const L = rng.uniform(1.0, 2.0);
  const D = rng.uniform(0.3, 0.5);
  const H = rng.uniform(0.38, 0.48);
  const t = rng.uniform(0.03, 0.07);
  const slatted = chance(rng, 0.45);
  const legs = pick(rng, ['four', 'panels', 'aframe', 'round'] as const);
  const hasBack = chance(rng, 0.55);
  const arms = hasBack && chance(rng, 0.5);

  b.part(BENCH_PARTS.seat);
  if (slatted) {
    const n = intIn(rng, 3, 6);
    const gap = rng.uniform(0.01, 0.03);
    const sw = (D - gap * (n - 1)) / n;
    for (let i = 0; i < n; i++) b.add(box(L, t, sw), T(0, H - t / 2, -D / 2 + sw / 2 + i * (sw + gap)));
  } else b.add(box(L, t, D), T(0, H - t / 2, 0));

  const y0 = H - t;
  b.part(BENCH_PARTS.leg);
  const inset = rng.uniform(0.05, 0.2);
  const xs = [-(L / 2 - inset), L / 2 - inset];
  if (L > 1.6 && chance(rng, 0.5)) xs.push(0);
  for (const x of xs) {
    if (legs === 'four' || legs === 'round') {
      const lr = rng.uniform(0.02, 0.04);
      for (const sz of [-1, 1]) {
        const leg = legs === 'four' ? box(lr * 2, y0, lr * 2) : cylinder(lr, y0, 10);
        b.add(leg, T(x, y0 / 2, sz * (D / 2 - 0.04)));
      }
      b.add(box(0.03, 0.04, D - 0.08), T(x, y0 * 0.3, 0));
    } else if (legs === 'panels') {
      b.add(box(rng.uniform(0.03, 0.08), y0, D * rng.uniform(0.8, 1)), T(x, y0 / 2, 0));
    } else {
      const spread = D * rng.uniform(0.5, 0.7);
      const a: Vec2[] = [
        [-spread, 0],
        [-spread + 0.06, 0],
        [0.03, y0],
        [-0.03, y0],
      ];
      for (const s of [1, -1]) {
        const poly = a.map(([u, v]) => [s * u, v] as Vec2);
        b.add(extrude(poly, 0.04), mul(T(x, 0, 0), Ry(Math.PI / 2)));
      }
    }
  }

  b.part(BENCH_PARTS.back);
  if (hasBack) {
    const bh = rng.uniform(0.25, 0.45);
    const tilt = rng.uniform(0.05, 0.3);
    const at = mul(T(0, H, -D / 2 + 0.02), Rx(-tilt));
    if (chance(rng, 0.5)) b.add(box(L, bh, 0.04), mul(at, T(0, bh / 2 + 0.03, 0)));
    else {
      const n = intIn(rng, 2, 4);
      for (let i = 0; i < n; i++) b.add(box(L, (bh / n) * 0.6, 0.03), mul(at, T(0, ((i + 0.8) * bh) / n, 0)));
      for (const x of xs) b.add(box(0.04, bh, 0.04), mul(at, T(x, bh / 2, -0.02)));
    }
  }
  b.part(BENCH_PARTS.arm);
  if (arms) {
    const ah = rng.uniform(0.15, 0.25);
    for (const sx of [-1, 1]) {
      b.add(box(0.04, ah, 0.04), T(sx * (L / 2 - 0.03), H + ah / 2, D / 2 - 0.05));
      b.add(box(0.06, 0.03, D), T(sx * (L / 2 - 0.03), H + ah, 0));
    }
  }
}
