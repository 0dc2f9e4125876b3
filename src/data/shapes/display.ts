// Displays (screen facing +z): flat monitors and TVs of several aspect ratios on a neck with a
// rectangular, round or V foot, on two feet, or wall-style with none; deep CRT monitors.
import type { Rng } from '../../util/random';
import { chance, pick } from './params';
import {
  box,
  cylinder,
  extrude,
  loft,
  type MeshBuilder,
  mul,
  Rx,
  T,
  type Vec2,
  type Vec3,
} from './primitives';
import { DISPLAY_PARTS } from './part-ids';

export function display(rng: Rng, b: MeshBuilder): void {
  const crt = chance(rng, 0.15);
  const aspect = crt ? pick(rng, [4 / 3, 5 / 4]) : pick(rng, [16 / 9, 16 / 10, 4 / 3, 21 / 9, 16 / 9]);
  const W = crt ? rng.uniform(0.35, 0.5) : rng.uniform(0.45, 1.2);
  const Hs = W / aspect;
  const stand = crt ? 'none' : pick(rng, ['rect', 'round', 'vfoot', 'feet', 'none'] as const);
  const standH = stand === 'none' ? 0 : stand === 'feet' ? rng.uniform(0.03, 0.1) : rng.uniform(0.08, 0.2);
  const yc = (crt ? Hs * 0.6 : standH) + Hs / 2;
  const tilt = rng.uniform(-0.15, 0.02);
  const bezel = rng.uniform(0.008, 0.04);
  const T0 = rng.uniform(0.015, 0.05);
  const at = mul(T(0, yc, 0), Rx(tilt));

  b.part(DISPLAY_PARTS.screen); // the panel or CRT housing with its screen
  if (crt) {
    const depth = W * rng.uniform(0.8, 1.1);
    const rect = (w: number, h: number, z: number): Vec3[] => [
      [w / 2, h / 2, z],
      [-w / 2, h / 2, z],
      [-w / 2, -h / 2, z],
      [w / 2, -h / 2, z],
    ];
    const back = rng.uniform(0.4, 0.6);
    b.add(
      loft([rect(W, Hs, 0.02), rect(W, Hs, -0.05), rect(W * back, Hs * back, -depth)]),
      mul(T(0, Hs * 0.05, 0), at),
    );
    b.add(box(W * 0.5, Hs * 0.1, depth * 0.6), T(0, Hs * 0.55 - Hs * 0.1, -depth * 0.35));
  } else {
    b.add(box(W, Hs, T0), at);
    // Slightly raised screen inside the bezel, and a box on the back for the electronics.
    b.add(box(W - 2 * bezel, Hs - 2 * bezel, 0.004), mul(at, T(0, 0, T0 / 2)));
    if (chance(rng, 0.7)) {
      const bw = W * rng.uniform(0.3, 0.7);
      const bh = Hs * rng.uniform(0.3, 0.7);
      b.add(box(bw, bh, rng.uniform(0.02, 0.08)), mul(at, T(0, -Hs * 0.05, -T0 / 2 - 0.02)));
    }
  }

  const yb = yc - Hs / 2;
  b.part(DISPLAY_PARTS.stand); // neck, foot, feet or wall bracket
  if (stand === 'rect' || stand === 'round' || stand === 'vfoot') {
    const neckW = rng.uniform(0.04, 0.1);
    const neckH = standH + Hs * rng.uniform(0.2, 0.45);
    b.add(box(neckW, neckH, 0.03), mul(T(0, neckH / 2, -T0 / 2 - 0.06), Rx(rng.uniform(-0.2, 0.1))));
    const fw = W * rng.uniform(0.25, 0.5);
    if (stand === 'rect') b.add(box(fw, 0.02, fw * 0.7), T(0, 0.01, -0.06));
    else if (stand === 'round') b.add(cylinder(fw / 2, 0.02, 24), T(0, 0.01, -0.06));
    else {
      const v: Vec2[] = [
        [0, 0.02],
        [fw / 2, 0.18],
        [fw / 2 - 0.04, 0.2],
        [0, 0.08],
        [-fw / 2 + 0.04, 0.2],
        [-fw / 2, 0.18],
      ];
      b.add(extrude(v, 0.02), mul(T(0, 0.01, -0.06), Rx(Math.PI / 2), T(0, -0.1, 0)));
    }
  } else if (stand === 'feet') {
    for (const sx of [-1, 1]) {
      const x = sx * W * rng.uniform(0.3, 0.42);
      b.add(box(0.03, standH + 0.02, 0.03), T(x, (standH + 0.02) / 2, 0));
      b.add(box(0.04, 0.015, W * 0.2), T(x, 0.0075, 0));
    }
  } else if (!crt) {
    // Wall-style: a thin bracket behind.
    b.add(box(W * 0.3, Hs * 0.3, 0.03), T(0, yb + Hs / 2, -T0 / 2 - 0.015));
  }
}
