// Tables: rectangular, rounded, round or oval tops; four (square, round, tapered) legs, a
// pedestal with a disk or cross foot, trestle ends or three legs; optional apron and shelf.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import {
  box,
  cylinder,
  extrude,
  lathe,
  type MeshBuilder,
  mul,
  Rx,
  Ry,
  roundedRect,
  S,
  T,
} from './primitives';
import { TABLE_PARTS } from './part-ids';

export function table(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['rect', 'rounded', 'round', 'oval'] as const);
  const coffee = chance(rng, 0.25);
  const h = coffee ? rng.uniform(0.35, 0.5) : rng.uniform(0.65, 0.8);
  const round = kind === 'round' || kind === 'oval';
  const len = kind === 'round' ? rng.uniform(0.6, 1.3) : rng.uniform(0.8, 2.0);
  const dep = kind === 'round' ? len : len * rng.uniform(0.4, 0.85);
  const t = rng.uniform(0.02, 0.07);
  const legs = round
    ? pick(rng, ['four', 'pedestal', 'three', 'pedestal'] as const)
    : pick(rng, ['four', 'four', 'pedestal', 'trestle'] as const);
  const y0 = h - t;

  b.part(TABLE_PARTS.top);
  if (round) b.add(cylinder(1, t, 32), mul(T(0, h - t / 2, 0), S(len / 2, 1, dep / 2)));
  else if (kind === 'rounded')
    b.add(
      extrude(roundedRect(len, dep, rng.uniform(0.03, 0.2), 5), t),
      mul(T(0, h - t / 2, 0), Rx(Math.PI / 2)),
    );
  else b.add(box(len, t, dep), T(0, h - t / 2, 0));

  const legR = rng.uniform(0.02, 0.045);
  b.part(TABLE_PARTS.leg);
  const inset = rng.uniform(0.04, 0.12) * Math.min(len, dep);
  if (legs === 'four' || legs === 'three') {
    const style = pick(rng, ['square', 'round', 'tapered'] as const);
    const pts: [number, number][] = [];
    if (legs === 'three' || round) {
      const n = legs === 'three' ? 3 : 4;
      const a0 = rng.uniform(0, Math.PI);
      for (let i = 0; i < n; i++) {
        const a = a0 + (2 * Math.PI * i) / n;
        pts.push([(len / 2 - inset) * Math.cos(a), (dep / 2 - inset) * Math.sin(a)]);
      }
    } else {
      for (const sx of [-1, 1])
        for (const sz of [-1, 1]) pts.push([sx * (len / 2 - inset), sz * (dep / 2 - inset)]);
    }
    for (const [x, z] of pts) {
      const leg =
        style === 'square'
          ? box(legR * 2, y0, legR * 2)
          : cylinder(style === 'tapered' ? legR * 0.5 : legR, y0, 10, legR);
      b.add(leg, T(x, y0 / 2, z));
    }
    b.part(TABLE_PARTS.support); // aprons and the low shelf
    if (!round && chance(rng, 0.5)) {
      const ah = rng.uniform(0.05, 0.12);
      for (const sz of [-1, 1])
        b.add(box(len - 2 * inset, ah, 0.02), T(0, y0 - ah / 2, sz * (dep / 2 - inset)));
      for (const sx of [-1, 1])
        b.add(box(0.02, ah, dep - 2 * inset), T(sx * (len / 2 - inset), y0 - ah / 2, 0));
    }
    if (!round && chance(rng, 0.3)) b.add(box(len - 2 * inset, 0.025, dep - 2 * inset), T(0, y0 * 0.25, 0));
  } else if (legs === 'pedestal') {
    const colR = rng.uniform(0.04, 0.1);
    const foot = pick(rng, ['disk', 'cross', 'flared'] as const);
    if (foot === 'flared') {
      b.add(
        lathe(
          [
            [colR * 3, 0],
            [colR * 2.6, 0.03],
            [colR, y0 * 0.3],
            [colR * 0.9, y0 * 0.8],
            [colR * 1.6, y0],
          ],
          20,
        ),
      );
    } else {
      b.add(cylinder(colR, y0, 16), T(0, y0 / 2, 0));
      if (foot === 'disk')
        b.add(cylinder(Math.min(len, dep) * rng.uniform(0.25, 0.4), 0.03, 24), T(0, 0.015, 0));
      else {
        const n = intIn(rng, 3, 4);
        const reach = Math.min(len, dep) * rng.uniform(0.3, 0.45);
        for (let i = 0; i < n; i++)
          b.add(box(reach, 0.04, 0.05), mul(Ry((2 * Math.PI * i) / n), T(reach / 2, 0.02, 0)));
      }
    }
    if (!round && len > 1.3) {
      // A long top on one pedestal looks wrong: use two.
      for (const sx of [-1, 1]) b.add(cylinder(colR, y0, 16), T(sx * len * 0.3, y0 / 2, 0));
    }
  } else {
    const pw = rng.uniform(0.03, 0.07);
    for (const sx of [-1, 1]) {
      const x = sx * (len / 2 - inset);
      b.add(box(pw, y0, dep * rng.uniform(0.5, 0.85)), T(x, y0 / 2, 0));
      b.add(box(pw * 1.5, 0.05, dep * 0.9), T(x, 0.025, 0));
    }
    b.part(TABLE_PARTS.support).add(box(len - 2 * inset, 0.05, 0.04), T(0, y0 * 0.35, 0));
  }
}
