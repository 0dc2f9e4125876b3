// Chairs: four straight, splayed or round legs, a swivel pedestal with a star base, or a sled
// frame; square or round seat; solid, slatted, railed or open-frame back; optional arms.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import { box, cylinder, type MeshBuilder, mul, Rx, Ry, Rz, S, sphere, T, tube } from './primitives';
import { CHAIR_PARTS } from './part-ids';

export function chair(rng: Rng, b: MeshBuilder): void {
  const w = rng.uniform(0.4, 0.62);
  const d = rng.uniform(0.38, 0.56);
  const h = rng.uniform(0.38, 0.5);
  const t = rng.uniform(0.025, 0.09);
  const legs = pick(rng, ['four', 'splayed', 'round', 'pedestal', 'sled'] as const);
  const roundSeat = chance(rng, legs === 'pedestal' ? 0.3 : 0.15);
  const backStyle = pick(rng, ['solid', 'slats', 'rails', 'frame', 'curved'] as const);
  const backH = rng.uniform(0.3, 0.65);
  const tilt = rng.uniform(0, 0.3);
  const arms = chance(rng, legs === 'pedestal' ? 0.6 : 0.3);
  const legR = rng.uniform(0.015, 0.035);

  b.part(CHAIR_PARTS.seat);
  if (roundSeat) b.add(cylinder(1, t, 24), mul(T(0, h, 0), S(w / 2, 1, d / 2)));
  else b.add(box(w, t, d), T(0, h, 0));

  const y0 = h - t / 2;
  b.part(CHAIR_PARTS.leg);
  if (legs === 'pedestal') {
    const colH = y0 - 0.08;
    b.add(cylinder(rng.uniform(0.02, 0.04), colH, 12), T(0, 0.08 + colH / 2, 0));
    const n = intIn(rng, 4, 5);
    const spoke = rng.uniform(0.22, 0.32);
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n;
      b.add(box(spoke, 0.03, 0.04), mul(Ry(a), T(spoke / 2, 0.07, 0)));
      b.add(sphere(0.025, 8, 6), mul(Ry(a), T(spoke - 0.01, 0.025, 0)));
    }
  } else if (legs === 'sled') {
    const r = legR * 0.7;
    for (const sx of [-1, 1]) {
      const x = (sx * (w - 0.04)) / 2;
      b.add(
        tube(
          [
            [x, y0, d / 2 - 0.03],
            [x, r, d / 2 + 0.02],
            [x, r, -d / 2 - 0.02],
            [x, y0, -d / 2 + 0.03],
          ],
          r,
          8,
        ),
      );
    }
  } else {
    const inset = rng.uniform(0.02, 0.06);
    const splay = legs === 'splayed' ? rng.uniform(0.06, 0.16) : 0;
    const stretchers = chance(rng, 0.4);
    for (const sx of [-1, 1]) {
      for (const sz of [-1, 1]) {
        const x = sx * (w / 2 - inset);
        const z = sz * (d / 2 - inset);
        const leg =
          legs === 'four'
            ? box(legR * 2, y0, legR * 2)
            : cylinder(legR, y0, 10, legs === 'round' ? legR * 0.7 : legR);
        b.add(leg, mul(T(x, y0 / 2, z), Rz(sx * splay), Rx(-sz * splay)));
      }
    }
    if (stretchers) {
      const ys = y0 * 0.3;
      for (const sx of [-1, 1]) b.add(box(legR, legR, d - 2 * inset), T(sx * (w / 2 - inset), ys, 0));
      b.add(box(w - 2 * inset, legR, legR), T(0, ys * 1.2, 0));
    }
  }

  // Back, built upright from the rear edge of the seat, then tilted about that edge.
  b.part(CHAIR_PARTS.back);
  const back = mul(T(0, h + t / 2, -d / 2 + 0.02), Rx(-tilt));
  const postW = rng.uniform(0.025, 0.05);
  if (backStyle === 'solid') {
    b.add(box(w, backH, rng.uniform(0.025, 0.07)), mul(back, T(0, backH / 2, 0)));
  } else if (backStyle === 'curved') {
    const bw = w * rng.uniform(0.8, 1);
    b.add(cylinder(1, backH, 20), mul(back, T(0, backH / 2, 0.03), S(bw / 2, 1, 0.06)));
  } else {
    for (const sx of [-1, 1])
      b.add(box(postW, backH, postW), mul(back, T((sx * (w - postW)) / 2, backH / 2, 0)));
    const railH = rng.uniform(0.04, 0.12);
    b.add(box(w, railH, postW * 0.8), mul(back, T(0, backH - railH / 2, 0)));
    if (backStyle === 'slats') {
      const n = intIn(rng, 2, 6);
      const sw = rng.uniform(0.015, 0.05);
      for (let i = 0; i < n; i++) {
        const x = -w / 2 + postW + ((i + 0.5) * (w - 2 * postW)) / n;
        b.add(box(sw, backH - railH, 0.015), mul(back, T(x, (backH - railH) / 2, 0)));
      }
    } else if (backStyle === 'rails') {
      const n = intIn(rng, 1, 4);
      for (let i = 0; i < n; i++) {
        const y = ((i + 1) * (backH - railH)) / (n + 1);
        b.add(box(w - postW, railH * 0.6, postW * 0.6), mul(back, T(0, y, 0)));
      }
    }
  }

  if (arms) {
    b.part(CHAIR_PARTS.arm);
    const armH = rng.uniform(0.16, 0.26);
    const solid = chance(rng, 0.35);
    const armW = rng.uniform(0.03, 0.07);
    for (const sx of [-1, 1]) {
      const x = sx * (w / 2 + (solid ? armW / 2 : 0));
      if (solid) b.add(box(armW, armH, d * 0.85), T(x, h + armH / 2, -d * 0.05));
      else b.add(box(postW, armH, postW), T(x, h + armH / 2, d / 2 - 0.06));
      b.add(box(armW * 1.3, 0.03, d * 0.9), T(x, h + armH, -d * 0.05));
    }
  }
}
