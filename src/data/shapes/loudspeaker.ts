// Loudspeakers (front +z): towers, bookshelf boxes, cube subwoofers, cylinders and slanted
// fronts; one to four drivers stacked on the front, or a grille; optional port, feet or stand.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import { box, cylinder, lathe, loft, type MeshBuilder, mul, Rx, T, type Vec3 } from './primitives';
import { LOUDSPEAKER_PARTS } from './part-ids';

export function loudspeaker(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['tower', 'bookshelf', 'cube', 'cylinder', 'slant'] as const);
  const W = kind === 'cube' ? rng.uniform(0.3, 0.45) : rng.uniform(0.18, 0.3);
  const H =
    kind === 'tower'
      ? rng.uniform(0.8, 1.15)
      : kind === 'cube'
        ? W * rng.uniform(0.9, 1.1)
        : rng.uniform(0.28, 0.45);
  const D = kind === 'cube' ? W * rng.uniform(0.9, 1.1) : rng.uniform(0.2, 0.35);
  const stand = kind === 'bookshelf' && chance(rng, 0.4);
  const feet = !stand && chance(rng, 0.35);
  const y0 = stand ? rng.uniform(0.5, 0.7) : feet ? 0.03 : 0;

  let zf = D / 2;
  b.part(LOUDSPEAKER_PARTS.cabinet);
  if (kind === 'cylinder') {
    b.add(cylinder(W / 2, H, 28), T(0, y0 + H / 2, 0));
    zf = W / 2;
  } else if (kind === 'slant') {
    const rect = (w: number, d: number, y: number, dz: number): Vec3[] => [
      [w / 2, y, d / 2 + dz],
      [-w / 2, y, d / 2 + dz],
      [-w / 2, y, -d / 2],
      [w / 2, y, -d / 2],
    ];
    const back = rng.uniform(0.05, 0.12);
    b.add(loft([rect(W, D, y0, 0), rect(W, D - back, y0 + H, -back)]));
    zf = D / 2 - back / 2;
  } else b.add(box(W, H, D), T(0, y0 + H / 2, 0));

  const grille = chance(rng, 0.25);
  const n = kind === 'tower' ? intIn(rng, 2, 4) : kind === 'cube' ? 1 : intIn(rng, 1, 2);
  if (grille) b.add(box(W * 0.94, H * 0.94, 0.015), T(0, y0 + H / 2, zf + 0.007));
  else {
    b.part(LOUDSPEAKER_PARTS.driver); // cones and the bass port
    // Drivers from the top: a small tweeter, then woofers.
    let y = y0 + H - W * 0.2;
    for (let i = 0; i < n; i++) {
      const r = i === 0 && n > 1 ? W * 0.13 : W * rng.uniform(0.28, 0.4);
      y -= i === 0 ? 0 : r * 1.1;
      const cone = lathe(
        [
          [r, 0],
          [r * 0.92, 0.012],
          [r * 0.35, -0.004],
          [r * 0.2, 0.008],
          [0, 0.01],
        ],
        20,
      );
      b.add(cone, mul(T(0, y, zf), Rx(Math.PI / 2)));
      y -= r * 1.1;
      if (y < y0 + W * 0.2) break;
    }
    if (chance(rng, 0.4)) b.add(cylinder(W * 0.06, 0.02, 14), mul(T(0, y0 + H * 0.12, zf), Rx(Math.PI / 2)));
  }
  b.part(LOUDSPEAKER_PARTS.stand); // stand or feet
  if (stand) {
    b.add(box(W * 0.8, 0.02, D * 0.8), T(0, y0 - 0.01, 0));
    const postH = y0 - 0.04;
    const two = chance(rng, 0.5);
    for (const x of two ? [-W * 0.25, W * 0.25] : [0])
      b.add(box(0.04, postH, 0.04), T(x, 0.02 + postH / 2, 0));
    b.add(box(W * 1.1, 0.02, D * 1.1), T(0, 0.01, 0));
  } else if (feet) {
    for (const sx of [-1, 1])
      for (const sz of [-1, 1])
        b.add(cylinder(0.015, 0.03, 8, 0.005), T(sx * W * 0.35, 0.015, sz * D * 0.35));
  }
}
