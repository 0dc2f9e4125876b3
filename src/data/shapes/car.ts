// Cars (front towards +z): sedans, hatchbacks, SUVs, pickups, sports cars and vans: a side
// profile extruded across the width, a narrower glasshouse, four (or six) wheels, optional
// spoiler, roof rack and mirrors.
import type { Rng } from '../../util/random';
import { chance, pick } from './params';
import { box, cylinder, extrude, type MeshBuilder, mul, Ry, Rz, T, type Vec2 } from './primitives';
import { CAR_PARTS } from './part-ids';

export function car(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['sedan', 'hatch', 'suv', 'pickup', 'sports', 'van'] as const);
  const L = rng.uniform(3.6, 5.2) * (kind === 'van' || kind === 'pickup' ? 1.1 : 1);
  const W = L * rng.uniform(0.36, 0.44);
  const wheelR =
    L * (kind === 'suv' || kind === 'pickup' ? rng.uniform(0.085, 0.1) : rng.uniform(0.065, 0.08));
  const clear =
    wheelR * (kind === 'suv' || kind === 'pickup' ? rng.uniform(0.7, 0.9) : rng.uniform(0.35, 0.55));
  const belt =
    clear +
    L *
      (kind === 'sports'
        ? rng.uniform(0.1, 0.13)
        : kind === 'van'
          ? rng.uniform(0.2, 0.24)
          : rng.uniform(0.14, 0.19));
  const roof =
    belt +
    L *
      (kind === 'sports'
        ? rng.uniform(0.07, 0.09)
        : kind === 'van'
          ? rng.uniform(0.12, 0.16)
          : rng.uniform(0.09, 0.13));
  const nose = L * rng.uniform(0.02, 0.06);
  const hoodDrop = (belt - clear) * rng.uniform(0.1, 0.35);

  // Lower body side profile in (z, y).
  const f = L / 2;
  const body: Vec2[] = [
    [-f, clear + 0.1 * (belt - clear)],
    [-f + nose * 0.5, clear],
    [f - nose, clear],
    [f, clear + (belt - clear) * 0.35],
    [f - nose * 0.3, belt - hoodDrop],
    [f - L * 0.25, belt],
    [-f + L * 0.1, belt],
    [-f, belt - (belt - clear) * rng.uniform(0.05, 0.25)],
  ];
  const bodyW = W;
  // The hood: the upward faces ahead of the flat deck (the profile's segment from z = f − L/4).
  const hoodFrom = f - L * 0.25 - 1e-9;
  b.part((c, n) => (n[1] > 0.3 && c[2] > hoodFrom ? CAR_PARTS.hood : CAR_PARTS.body));
  b.add(extrude(body, bodyW), Ry(-Math.PI / 2));

  // Glasshouse: where it starts and ends along the car sets the style.
  let rear: number;
  let front: number;
  let rearRake: number;
  let frontRake: number;
  switch (kind) {
    case 'sedan':
      rear = -f + L * rng.uniform(0.2, 0.28);
      front = f - L * rng.uniform(0.33, 0.4);
      rearRake = L * rng.uniform(0.08, 0.14);
      frontRake = L * rng.uniform(0.12, 0.18);
      break;
    case 'hatch':
    case 'suv':
      rear = -f + L * rng.uniform(0.02, 0.06);
      front = f - L * rng.uniform(0.3, 0.38);
      rearRake = L * rng.uniform(0.02, 0.08);
      frontRake = L * rng.uniform(0.1, 0.16);
      break;
    case 'pickup':
      rear = -f + L * rng.uniform(0.4, 0.5);
      front = f - L * rng.uniform(0.3, 0.35);
      rearRake = 0.01;
      frontRake = L * rng.uniform(0.08, 0.12);
      break;
    case 'sports':
      rear = -f + L * rng.uniform(0.15, 0.25);
      front = f - L * rng.uniform(0.38, 0.45);
      rearRake = L * rng.uniform(0.12, 0.2);
      frontRake = L * rng.uniform(0.14, 0.2);
      break;
    default:
      rear = -f + L * 0.01;
      front = f - L * rng.uniform(0.08, 0.15);
      rearRake = L * 0.01;
      frontRake = L * rng.uniform(0.05, 0.12);
  }
  const cabinW = W * rng.uniform(0.82, 0.94);
  const cabin: Vec2[] = [
    [rear, belt - 0.01],
    [front, belt - 0.01],
    [front - frontRake, roof],
    [rear + rearRake, roof],
  ];
  // The roof: the cabin's top (the raked windows and the sides stay body).
  b.part((_c, n) => (n[1] > 0.9 ? CAR_PARTS.roof : CAR_PARTS.body));
  b.add(extrude(cabin, cabinW), Ry(-Math.PI / 2));
  b.part(CAR_PARTS.body);

  if (kind === 'pickup') {
    // Open bed: floor and three walls behind the cab.
    const bedLen = rear - -f;
    const wallH = (belt - clear) * 0.5;
    b.add(box(W * 0.96, 0.04, 0.05), T(0, belt + wallH / 2, -f + 0.03));
    for (const sx of [-1, 1])
      b.add(box(0.05, wallH, bedLen), T((sx * W * 0.94) / 2, belt + wallH / 2, -f + bedLen / 2));
  }

  const axles = kind === 'pickup' && chance(rng, 0.3) ? 3 : 2;
  const wb = L * rng.uniform(0.28, 0.34);
  const zs = axles === 2 ? [wb, -wb] : [wb, -wb, -wb + wheelR * 2.3];
  const wheelW = W * rng.uniform(0.14, 0.2);
  const wheel = cylinder(wheelR, wheelW, 18);
  b.part(CAR_PARTS.wheel);
  const hub = cylinder(wheelR * 0.55, wheelW * 1.06, 12);
  for (const z of zs) {
    for (const sx of [-1, 1]) {
      const at = mul(T((sx * (W - wheelW * 0.6)) / 2, wheelR, z), Rz(Math.PI / 2));
      b.add(wheel, at);
      b.add(hub, at);
    }
  }

  b.part(CAR_PARTS.body);
  if (kind === 'sports' || chance(rng, 0.12)) {
    const sh = rng.uniform(0.04, 0.1) * L * 0.5;
    b.add(box(W * 0.85, 0.02 * L, 0.06 * L), T(0, belt + sh, -f + 0.05 * L));
    for (const sx of [-1, 1])
      b.add(box(0.02 * L, sh, 0.02 * L), T(sx * W * 0.3, belt + sh / 2, -f + 0.05 * L));
  }
  if ((kind === 'suv' || kind === 'van') && chance(rng, 0.4)) {
    b.part(CAR_PARTS.roof); // roof rack
    for (const sx of [-1, 1])
      b.add(
        box(0.03 * L, 0.03 * L, (front - rear) * 0.7),
        T(sx * cabinW * 0.4, roof + 0.015 * L, (front + rear) / 2),
      );
  }
  b.part(CAR_PARTS.body); // mirrors
  if (chance(rng, 0.6)) {
    for (const sx of [-1, 1])
      b.add(
        box(0.05 * L, 0.03 * L, 0.03 * L),
        T(sx * (cabinW / 2 + 0.02 * L), belt + 0.04 * L, front - 0.01 * L),
      );
  }
}
