// Sofas (front +z): one- to four-seaters with box or rolled arms or none, cushion or slab
// backs, short legs or a plinth, some with a chaise extension (L shape).
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import { box, cylinder, type MeshBuilder, mul, Rx, T } from './primitives';
import { SOFA_PARTS } from './part-ids';

export function sofa(rng: Rng, b: MeshBuilder): void {
  const seats = intIn(rng, 1, 4);
  const seatW = rng.uniform(0.5, 0.7);
  const armStyle = pick(rng, ['box', 'rolled', 'thin', 'none'] as const);
  const armW =
    armStyle === 'none' ? 0 : armStyle === 'thin' ? rng.uniform(0.05, 0.1) : rng.uniform(0.12, 0.25);
  const W = seats * seatW + 2 * armW;
  const D = rng.uniform(0.75, 1.0);
  const legH = chance(rng, 0.6) ? rng.uniform(0.05, 0.18) : 0;
  const baseH = rng.uniform(0.15, 0.28);
  const cushH = rng.uniform(0.08, 0.16);
  const backH = rng.uniform(0.3, 0.55);
  const backD = rng.uniform(0.15, 0.28);
  const armH = rng.uniform(0.15, 0.3);
  const y0 = legH;
  const yb = y0 + baseH;
  const chaise = seats >= 2 && chance(rng, 0.25);
  const chaiseL = rng.uniform(0.5, 0.8);
  const side = chance(rng, 0.5) ? 1 : -1;

  b.part(SOFA_PARTS.base).add(box(W, baseH, D), T(0, y0 + baseH / 2, 0));
  if (chaise)
    b.add(
      box(seatW, baseH, chaiseL),
      T(side * (W / 2 - armW - seatW / 2), y0 + baseH / 2, D / 2 + chaiseL / 2),
    );
  // Seat cushions.
  b.part(SOFA_PARTS.seat);
  const sd = D - backD;
  const split = chance(rng, 0.75);
  if (split) {
    for (let i = 0; i < seats; i++) {
      const x = -W / 2 + armW + (i + 0.5) * seatW;
      b.add(box(seatW - 0.01, cushH, sd - 0.01), T(x, yb + cushH / 2, backD / 2));
    }
  } else b.add(box(seats * seatW, cushH, sd), T(0, yb + cushH / 2, backD / 2));
  if (chaise)
    b.add(
      box(seatW - 0.01, cushH, chaiseL),
      T(side * (W / 2 - armW - seatW / 2), yb + cushH / 2, D / 2 + chaiseL / 2),
    );

  // Back: a slab, plus loose cushions on some.
  b.part(SOFA_PARTS.back);
  const backTop = yb + cushH + backH;
  b.add(box(W, backTop - y0, backD * 0.6), T(0, (backTop + y0) / 2, -D / 2 + backD * 0.3));
  if (chance(rng, 0.6)) {
    const tilt = rng.uniform(0.05, 0.25);
    for (let i = 0; i < seats; i++) {
      const x = -W / 2 + armW + (i + 0.5) * seatW;
      b.add(
        box(seatW - 0.02, backH * 0.85, backD * 0.5),
        mul(T(x, yb + cushH + backH * 0.45, -D / 2 + backD * 0.75), Rx(-tilt)),
      );
    }
  }
  b.part(SOFA_PARTS.arm);
  if (armStyle !== 'none') {
    for (const sx of [-1, 1]) {
      const x = sx * (W / 2 - armW / 2);
      const top = yb + cushH + armH;
      b.add(box(armW, top - y0, D), T(x, (top + y0) / 2, 0));
      if (armStyle === 'rolled')
        b.add(cylinder(armW * 0.6, D, 16), mul(T(x + sx * armW * 0.1, top, 0), Rx(Math.PI / 2)));
    }
  }
  b.part(SOFA_PARTS.base); // legs
  if (legH > 0) {
    const lr = rng.uniform(0.02, 0.035);
    const round = chance(rng, 0.5);
    const xs = [-W / 2 + 0.06, W / 2 - 0.06];
    if (W > 2) xs.push(0);
    for (const x of xs) {
      for (const sz of [-1, 1]) {
        const leg = round ? cylinder(lr, legH, 8, lr * 0.6) : box(lr * 2, legH, lr * 2);
        b.add(leg, T(x, legH / 2, sz * (D / 2 - 0.06)));
      }
    }
  }
}
