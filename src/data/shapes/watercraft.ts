// Watercraft (bow towards +z): sailboats with one or two masts and triangular sails, motor
// yachts with stacked cabins, ships with superstructure and funnels, canoes and kayaks, and
// submarines. Hulls are lofted from U- or V-shaped sections.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import {
  box,
  cylinder,
  extrude,
  loft,
  type MeshBuilder,
  mul,
  Rx,
  Ry,
  sphere,
  S,
  T,
  type Vec2,
  type Vec3,
} from './primitives';
import { WATERCRAFT_PARTS } from './part-ids';

export function watercraft(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['sail', 'yacht', 'ship', 'canoe', 'submarine'] as const);
  const L = kind === 'ship' ? rng.uniform(2.5, 3.5) : rng.uniform(1.5, 2.5);
  const beam =
    L *
    (kind === 'canoe'
      ? rng.uniform(0.08, 0.14)
      : kind === 'ship'
        ? rng.uniform(0.12, 0.17)
        : rng.uniform(0.2, 0.32));
  const depth = beam * rng.uniform(0.45, 0.8);
  const vee = rng.uniform(0.4, 2.2); // section exponent: < 1 boxy U, > 1 sharp V
  const sheer = depth * rng.uniform(0.1, 0.5);
  const sternW = kind === 'canoe' ? 0.03 : rng.uniform(0.6, 0.95);

  b.part(WATERCRAFT_PARTS.hull);
  if (kind === 'submarine') {
    const r = beam * 0.5;
    const secs: Vec3[][] = [];
    for (let i = 0; i <= 16; i++) {
      const u = i / 16;
      const z = -L / 2 + L * u;
      const rr = r * Math.max(0.04, Math.min(1, Math.sqrt(Math.min(u, 1 - u) * 5)));
      const ring: Vec3[] = [];
      for (let j = 0; j < 14; j++) {
        const a = (2 * Math.PI * j) / 14;
        ring.push([rr * Math.cos(a), rr * Math.sin(a), z]);
      }
      secs.push(ring);
    }
    b.add(loft(secs));
    const th = r * rng.uniform(0.8, 1.4);
    b.part(WATERCRAFT_PARTS.superstructure); // the conning tower
    const tl = L * rng.uniform(0.1, 0.18);
    b.add(
      extrude(
        [
          [tl / 2, 0],
          [tl / 2 - tl * 0.15, th],
          [-tl / 2, th],
          [-tl / 2, 0],
        ] as Vec2[],
        r * 0.5,
      ),
      mul(T(0, r * 0.8, L * rng.uniform(0, 0.2)), Ry(-Math.PI / 2)),
    );
    b.part(WATERCRAFT_PARTS.hull); // hydroplanes and rudder
    for (const sx of [-1, 1]) b.add(box(r * 1.4, 0.01 * L, r * 0.5), T(sx * r * 0.9, 0, -L / 2 + r * 0.8));
    b.add(box(0.01 * L, r * 2.2, r * 0.5), T(0, 0, -L / 2 + r * 0.8));
    return;
  }

  // Hull: sections from stern (u = 0) to bow (u = 1).
  const secs: Vec3[][] = [];
  const m = 12;
  for (let i = 0; i <= 14; i++) {
    const u = i / 14;
    const z = -L / 2 + L * u;
    const bowTaper = u > 0.6 ? Math.sqrt(Math.max(0.0004, 1 - ((u - 0.6) / 0.4) ** 2)) : 1;
    const sternTaper = u < 0.2 ? sternW + (1 - sternW) * Math.sin((u / 0.2) * (Math.PI / 2)) : 1;
    const hw = Math.max(0.004, (beam / 2) * bowTaper * sternTaper);
    const deck = depth * 0.35 + sheer * Math.max(0, u - 0.5) * 2;
    const keel = -depth * 0.65 * (u > 0.8 ? 1 - (u - 0.8) * 2.5 : 1);
    const ring: Vec3[] = [];
    for (let j = 0; j < m; j++) {
      // Points over the bottom half-circle (deck closes the ring), shaped by the exponent.
      const a = Math.PI + (Math.PI * j) / (m - 1);
      const c = Math.cos(a);
      const s = Math.max(0, -Math.sin(a)); // 0 .. 1 .. 0 going under the keel
      const x = hw * Math.sign(c) * Math.abs(c) ** (1 / Math.max(vee, 0.5));
      const y = deck - (deck - keel) * s ** vee;
      ring.push([x, y, z]);
    }
    secs.push(ring);
  }
  b.add(loft(secs));
  const deckY = depth * 0.35;

  if (kind === 'sail') {
    b.part(WATERCRAFT_PARTS.rig); // masts, booms and sails
    const masts = chance(rng, 0.25) ? 2 : 1;
    const mh = L * rng.uniform(0.8, 1.2);
    for (let k = 0; k < masts; k++) {
      const zm = masts === 1 ? L * rng.uniform(0.0, 0.15) : k === 0 ? L * 0.15 : -L * 0.15;
      const h = k === 0 ? mh : mh * 0.7;
      b.add(cylinder(0.012 * L * 0.5, h, 8), T(0, deckY + h / 2, zm));
      const boom = L * rng.uniform(0.3, 0.45);
      b.add(cylinder(0.008 * L * 0.5, boom, 6), mul(T(0, deckY + 0.1 * h, zm - boom / 2), Rx(Math.PI / 2)));
      // Mainsail behind the mast, jib before it.
      const main: Vec2[] = [
        [0, 0.1 * h],
        [-boom, 0.1 * h],
        [-0.02, 0.95 * h],
      ];
      b.add(extrude(main, 0.006), mul(T(0, deckY, zm), Ry(-Math.PI / 2)));
      if (k === 0 && chance(rng, 0.7)) {
        const reach = L / 2 - zm - 0.05;
        const jib: Vec2[] = [
          [0.02, 0.08 * h],
          [reach, 0.05 * h],
          [0.02, 0.8 * h],
        ];
        b.add(extrude(jib, 0.006), mul(T(0, deckY, zm), Ry(-Math.PI / 2)));
      }
    }
    b.part(WATERCRAFT_PARTS.superstructure);
    if (chance(rng, 0.6)) b.add(box(beam * 0.5, depth * 0.3, L * 0.2), T(0, deckY + depth * 0.15, -L * 0.1));
  } else if (kind === 'yacht' || kind === 'ship') {
    b.part(WATERCRAFT_PARTS.superstructure); // deck houses, funnels, deck cargo
    const tiers = kind === 'ship' ? intIn(rng, 2, 4) : intIn(rng, 1, 3);
    let y = deckY;
    let len = L * rng.uniform(0.3, 0.5);
    let w = beam * rng.uniform(0.6, 0.85);
    const zc = kind === 'ship' ? -L * rng.uniform(0.05, 0.3) : -L * rng.uniform(0, 0.15);
    const th = depth * rng.uniform(0.35, 0.6);
    for (let i = 0; i < tiers; i++) {
      const rect = (ll: number, ww: number, yy: number, rake: number): Vec3[] => [
        [ww / 2, yy, zc + ll / 2 - rake],
        [-ww / 2, yy, zc + ll / 2 - rake],
        [-ww / 2, yy, zc - ll / 2],
        [ww / 2, yy, zc - ll / 2],
      ];
      const rake = kind === 'yacht' ? th * rng.uniform(0.3, 1) : 0;
      b.add(loft([rect(len, w, y, 0), rect(len, w, y + th, rake)]));
      y += th;
      len *= rng.uniform(0.55, 0.85);
      w *= rng.uniform(0.8, 0.95);
    }
    if (kind === 'ship') {
      const funnels = intIn(rng, 1, 3);
      for (let i = 0; i < funnels; i++) {
        const fr = beam * rng.uniform(0.1, 0.16);
        const fh = depth * rng.uniform(0.8, 1.4);
        b.add(
          cylinder(fr, fh, 14),
          mul(T(0, y + fh / 2 - th * 0.5, zc - L * 0.05 - i * fr * 3), S(1, 1, 1.4)),
        );
      }
      b.part(WATERCRAFT_PARTS.rig).add(
        cylinder(0.008 * L, depth * 1.5, 6),
        T(0, y + depth * 0.7, zc + L * 0.12),
      );
      b.part(WATERCRAFT_PARTS.superstructure);
      if (chance(rng, 0.5))
        for (let i = 0; i < intIn(rng, 2, 5); i++)
          b.add(box(beam * 0.5, depth * 0.3, L * 0.05), T(0, deckY + depth * 0.15, L * 0.3 - i * L * 0.07));
    } else if (chance(rng, 0.5)) {
      b.add(sphere(beam * 0.08, 10, 6), T(0, y + beam * 0.08, zc));
    }
  } else if (chance(rng, 0.5)) {
    // Canoe / kayak: cockpit rim(s) and thwarts.
    const seats = intIn(rng, 1, 2);
    for (let i = 0; i < seats; i++)
      b.add(
        cylinder(beam * 0.3, depth * 0.08, 14),
        mul(T(0, deckY + depth * 0.04, (i - (seats - 1) / 2) * L * 0.3), S(1, 1, 1.8)),
      );
  }
}
