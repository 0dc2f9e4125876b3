// Lamps: floor and desk lamps with disk, square or tripod bases; straight, arched or
// articulated stems; drum, cone, dome, globe or spot shades; some with several arms.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import {
  box,
  cylinder,
  lathe,
  type MeshBuilder,
  mul,
  Rx,
  Ry,
  sphere,
  T,
  tube,
  type Vec2,
  type Vec3,
} from './primitives';
import { LAMP_PARTS } from './part-ids';

export function lamp(rng: Rng, b: MeshBuilder): void {
  const floor = chance(rng, 0.5);
  const H = floor ? rng.uniform(1.2, 1.8) : rng.uniform(0.35, 0.7);
  const base = pick(rng, ['disk', 'square', 'tripod', 'disk'] as const);
  const stem = pick(rng, ['straight', 'straight', 'arc', 'arm'] as const);
  const shade = pick(rng, ['drum', 'cone', 'dome', 'globe', 'spot'] as const);
  const sr = H * (floor ? rng.uniform(0.12, 0.22) : rng.uniform(0.2, 0.35));
  const stemR = H * rng.uniform(0.008, 0.02);

  const baseR = H * rng.uniform(0.1, 0.2);
  b.part(LAMP_PARTS.base);
  if (base === 'disk') b.add(cylinder(baseR, H * 0.03, 24, baseR * rng.uniform(0.7, 1)), T(0, H * 0.015, 0));
  else if (base === 'square') b.add(box(baseR * 1.8, H * 0.04, baseR * 1.8), T(0, H * 0.02, 0));

  const addShade = (at: Vec3, down: boolean, tiltX = 0) => {
    b.part(LAMP_PARTS.shade);
    const xf = mul(T(at[0], at[1], at[2]), Rx(tiltX));
    const sh = sr * rng.uniform(0.7, 1.3);
    let prof: Vec2[];
    if (shade === 'drum') {
      prof = [
        [sr, -sh / 2],
        [sr, sh / 2],
      ];
    } else if (shade === 'cone') {
      prof = [
        [sr, -sh / 2],
        [sr * rng.uniform(0.35, 0.7), sh / 2],
      ];
    } else if (shade === 'spot') {
      prof = [
        [sr * 0.6, -sh / 2],
        [sr * 0.25, sh / 2],
      ];
    } else if (shade === 'dome') {
      prof = [];
      for (let i = 0; i <= 6; i++) {
        const a = (Math.PI / 2) * (i / 6);
        prof.push([Math.max(sr * Math.cos(a), sr * 0.05), -sh / 3 + sh * 0.7 * Math.sin(a)]);
      }
    } else {
      b.add(sphere(sr * 0.7, 16, 10), xf);
      b.part(LAMP_PARTS.tube);
      return;
    }
    // A shade hanging down has its wide end at the bottom; one pointing up, at the top.
    const p = down ? prof : prof.map(([r, y]) => [r, -y] as Vec2).reverse();
    b.add(lathe(p, 24), xf);
    b.part(LAMP_PARTS.tube);
  };

  const top: Vec3 = [0, H - sr * 0.5, 0];
  b.part(LAMP_PARTS.tube);
  if (base === 'tripod') {
    const legTop: Vec3 = [0, H * 0.5, 0];
    b.part(LAMP_PARTS.base); // the tripod's legs stand for its base
    for (let i = 0; i < 3; i++) {
      const a = (2 * Math.PI * i) / 3 + 0.3;
      b.add(tube([[baseR * 1.5 * Math.cos(a), 0, baseR * 1.5 * Math.sin(a)], legTop], stemR, 6));
    }
    b.part(LAMP_PARTS.tube).add(cylinder(stemR, H * 0.5, 8), T(0, H * 0.75 - sr * 0.25, 0));
    addShade(top, true);
  } else if (stem === 'straight') {
    const arms = floor && chance(rng, 0.25) ? intIn(rng, 2, 3) : 1;
    b.add(cylinder(stemR, H - sr * 0.5, 10), T(0, (H - sr * 0.5) / 2, 0));
    if (arms === 1) addShade(top, !chance(rng, 0.2));
    else {
      for (let i = 0; i < arms; i++) {
        const a = (2 * Math.PI * i) / arms;
        const tip: Vec3 = [Math.cos(a) * sr * 1.5, H * 0.9, Math.sin(a) * sr * 1.5];
        b.add(tube([[0, H * 0.75, 0], [tip[0] * 0.7, H * 0.85, tip[2] * 0.7], tip], stemR * 0.7, 6));
        addShade([tip[0], tip[1] + sr * 0.3, tip[2]], false);
      }
    }
  } else if (stem === 'arc') {
    const reach = H * rng.uniform(0.4, 0.7);
    const path: Vec3[] = [];
    for (let i = 0; i <= 10; i++) {
      const u = i / 10;
      const a = (Math.PI / 2) * u;
      path.push([
        reach * (1 - Math.cos(a)),
        H * 0.15 + (H * 0.85 - H * 0.15) * Math.sin(a) + (u > 0.9 ? 0 : 0),
        0,
      ]);
    }
    path.push([reach + sr * 0.1, H * 0.8, 0]);
    b.add(tube(path, stemR, 8));
    b.add(cylinder(stemR, H * 0.15, 8), T(0, H * 0.075, 0));
    addShade([reach + sr * 0.1, H * 0.8 - sr * 0.5, 0], true);
  } else {
    // Articulated desk arm: two segments with joints, shade tilted at the end.
    const a1 = rng.uniform(-0.5, 0.4);
    const a2 = rng.uniform(0.6, 1.5);
    const l1 = H * rng.uniform(0.45, 0.6);
    const l2 = H * rng.uniform(0.4, 0.6);
    const p0: Vec3 = [0, H * 0.04, 0];
    const p1: Vec3 = [l1 * Math.sin(a1), p0[1] + l1 * Math.cos(a1), 0];
    const p2: Vec3 = [p1[0] + l2 * Math.sin(a2), p1[1] + l2 * Math.cos(a2), 0];
    b.add(tube([p0, p1], stemR, 8));
    b.add(tube([p1, p2], stemR, 8));
    for (const p of [p0, p1, p2]) b.add(sphere(stemR * 1.8, 10, 6), T(p[0], p[1], p[2]));
    addShade([p2[0] + sr * 0.3, p2[1] - sr * 0.4, 0], true, rng.uniform(-0.3, 0.3));
  }
  b.part(LAMP_PARTS.base); // a switch on the base
  if (chance(rng, 0.3))
    b.add(box(H * 0.02, H * 0.03, H * 0.01), mul(Ry(rng.uniform(0, 6)), T(baseR * 0.5, H * 0.045, 0)));
}
