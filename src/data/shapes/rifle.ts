// Rifles (muzzle towards +z): hunting rifles, assault rifles, sniper rifles and pump shotguns:
// barrel, receiver, stock profiles, pistol grips, straight or curved magazines, handguards,
// optional scope, bipod and muzzle device.
import type { Rng } from '../../util/random';
import { chance, pick } from './params';
import { box, cylinder, extrude, lathe, type MeshBuilder, mul, Rx, Ry, Rz, T, type Vec2 } from './primitives';
import { RIFLE_PARTS } from './part-ids';

export function rifle(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['hunting', 'assault', 'sniper', 'shotgun'] as const);
  const recL = rng.uniform(0.22, 0.32);
  const recH = rng.uniform(0.06, 0.09);
  const recW = rng.uniform(0.035, 0.05);
  const barL =
    kind === 'sniper'
      ? rng.uniform(0.6, 0.8)
      : kind === 'assault'
        ? rng.uniform(0.3, 0.45)
        : rng.uniform(0.45, 0.65);
  const barR = kind === 'shotgun' ? rng.uniform(0.011, 0.015) : rng.uniform(0.007, 0.011);
  const side = (poly: Vec2[], w: number) => extrude(poly, w);
  const xf = Ry(-Math.PI / 2); // profiles drawn in (z, y), extruded across x

  b.part(RIFLE_PARTS.receiver).add(box(recW, recH, recL), T(0, 0, 0));
  const z0 = recL / 2;
  b.part(RIFLE_PARTS.barrel).add(
    cylinder(barR, barL, 12),
    mul(T(0, recH * 0.2, z0 + barL / 2), Rx(Math.PI / 2)),
  );

  // Stock.
  b.part(RIFLE_PARTS.stock);
  const stockL = rng.uniform(0.25, 0.38);
  const drop = rng.uniform(0.02, 0.07);
  const butt = rng.uniform(0.1, 0.15);
  const zr = -recL / 2;
  if (kind === 'assault' && chance(rng, 0.4)) {
    // Skeleton stock: top and bottom bars and a butt plate.
    b.add(box(0.015, 0.015, stockL), T(0, recH * 0.3, zr - stockL / 2));
    b.add(box(0.015, 0.015, stockL * 1.02), mul(T(0, recH * 0.3 - butt * 0.6, zr - stockL / 2), Rx(-0.15)));
    b.add(box(recW, butt, 0.02), T(0, recH * 0.3 - butt * 0.4, zr - stockL));
  } else {
    const stock: Vec2[] = [
      [zr + 0.01, recH / 2],
      [zr - stockL, recH / 2 - drop],
      [zr - stockL, recH / 2 - drop - butt],
      [zr - stockL * 0.4, -recH * 0.6],
      [zr + (kind === 'hunting' || kind === 'sniper' ? recL * 0.9 : 0.01), -recH / 2],
    ];
    if (kind === 'hunting' || kind === 'sniper')
      stock.push([zr + recL * 0.9 + barL * 0.6, -recH * 0.2], [zr + recL * 0.9 + barL * 0.6, recH * 0.1]);
    b.add(side(stock, recW * 0.9), xf);
  }

  b.part(RIFLE_PARTS.receiver); // pistol grip, handguard, pump, sights, bipod
  if (kind === 'assault' || kind === 'sniper' || (kind === 'shotgun' && chance(rng, 0.4))) {
    const g: Vec2[] = [
      [zr + 0.03, -recH / 2 + 0.005],
      [zr + 0.08, -recH / 2 + 0.005],
      [zr + 0.05, -recH / 2 - 0.11],
      [zr - 0.0, -recH / 2 - 0.11],
    ];
    b.add(side(g, recW * 0.8), xf);
  }
  if (kind === 'assault' || (kind === 'sniper' && chance(rng, 0.7))) {
    const curved = kind === 'assault' && chance(rng, 0.6);
    const mh = rng.uniform(0.1, 0.2);
    const mw = rng.uniform(0.04, 0.06);
    const zm = rng.uniform(0.0, recL * 0.3);
    const bend = curved ? mh * 0.5 : 0;
    const mag: Vec2[] = [
      [zm + mw / 2, -recH / 2 + 0.01],
      [zm + mw / 2 + bend, -recH / 2 - mh],
      [zm - mw / 2 + bend, -recH / 2 - mh],
      [zm - mw / 2, -recH / 2 + 0.01],
    ];
    if (curved) mag.splice(1, 0, [zm + mw / 2 + bend * 0.3, -recH / 2 - mh * 0.55]);
    b.part(RIFLE_PARTS.magazine).add(side(mag, recW * 0.7), xf);
    b.part(RIFLE_PARTS.receiver);
  }
  if (kind === 'assault') {
    const hl = barL * rng.uniform(0.45, 0.7);
    const hr = rng.uniform(0.022, 0.032);
    if (chance(rng, 0.5)) b.add(cylinder(hr, hl, 12), mul(T(0, recH * 0.1, z0 + hl / 2), Rx(Math.PI / 2)));
    else b.add(box(hr * 2, hr * 2.2, hl), T(0, recH * 0.05, z0 + hl / 2));
    if (chance(rng, 0.5)) b.add(box(0.012, 0.05, 0.015), T(0, recH * 0.2 + 0.03, z0 + hl + 0.03));
    if (chance(rng, 0.6)) b.add(box(0.02, 0.04, 0.06), T(0, recH / 2 + 0.02, -recL * 0.2));
  }
  if (kind === 'shotgun') {
    const pl = barL * rng.uniform(0.25, 0.4);
    b.part(RIFLE_PARTS.magazine); // a shotgun's tube magazine under the barrel
    b.add(
      cylinder(barR * 0.9, barL * 0.8, 10),
      mul(T(0, recH * 0.2 - barR * 2.2, z0 + barL * 0.4), Rx(Math.PI / 2)),
    );
    b.part(RIFLE_PARTS.receiver).add(
      cylinder(barR * 2.2, pl, 12),
      mul(T(0, recH * 0.2 - barR * 2.2, z0 + barL * 0.3), Rx(Math.PI / 2)),
    );
  }
  if (
    kind === 'sniper' ||
    (kind === 'hunting' && chance(rng, 0.6)) ||
    (kind === 'assault' && chance(rng, 0.25))
  ) {
    const sl = rng.uniform(0.22, 0.4);
    const sr = rng.uniform(0.014, 0.02);
    const scope = lathe(
      [
        [sr * 1.6, -sl / 2],
        [sr * 1.6, -sl / 2 + 0.05],
        [sr, -sl / 2 + 0.08],
        [sr, sl / 2 - 0.09],
        [sr * 2, sl / 2 - 0.03],
        [sr * 2, sl / 2],
      ],
      14,
    );
    const ys = recH / 2 + sr * 2.5;
    b.part(RIFLE_PARTS.scope);
    b.add(scope, mul(T(0, ys, 0), Rx(Math.PI / 2)));
    for (const z of [-sl * 0.2, sl * 0.2]) b.add(box(0.015, sr * 2, 0.02), T(0, recH / 2 + sr, z));
  }
  b.part(RIFLE_PARTS.receiver);
  if (kind === 'sniper' && chance(rng, 0.6)) {
    const zb = z0 + barL * 0.4;
    for (const sx of [-1, 1])
      b.add(cylinder(0.006, 0.2, 6), mul(T(sx * 0.04, -0.09, zb + 0.05), Rz(sx * 0.35), Rx(0.4)));
  }
  b.part(RIFLE_PARTS.barrel); // muzzle brake
  if (chance(rng, 0.4))
    b.add(cylinder(barR * 1.7, 0.05, 10), mul(T(0, recH * 0.2, z0 + barL + 0.02), Rx(Math.PI / 2)));
}
