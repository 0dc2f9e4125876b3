// Telephones: touchscreen smartphones, keypad bar phones (some with antennae), flip phones
// opened at an angle, desk phones with a handset, cordless handsets on a cradle.
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
  Rz,
  roundedRect,
  T,
  tube,
  type Vec3,
} from './primitives';
import { TELEPHONE_PARTS } from './part-ids';

export function telephone(rng: Rng, b: MeshBuilder): void {
  const kind = pick(rng, ['smart', 'smart', 'bar', 'flip', 'desk', 'cordless'] as const);
  const W = rng.uniform(0.065, 0.085);
  const lean = rng.uniform(-0.15, 0.15);
  const keypad = (
    cx: number,
    cy: number,
    z: number,
    w: number,
    h: number,
    rows: number,
    cols: number,
    at: number[],
  ) => {
    const kw = w / cols;
    const kh = h / rows;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        b.add(
          box(kw * 0.75, kh * 0.7, 0.003),
          mul(at, T(cx - w / 2 + (c + 0.5) * kw, cy - h / 2 + (r + 0.5) * kh, z)),
        );
      }
    }
  };

  b.part(TELEPHONE_PARTS.body);
  if (kind === 'smart') {
    const H = W * rng.uniform(1.8, 2.2);
    const d = rng.uniform(0.007, 0.012);
    const at = Rx(lean);
    b.add(extrude(roundedRect(W, H, W * rng.uniform(0.06, 0.18), 5), d), at);
    const bez = rng.uniform(0.002, 0.006);
    b.part(TELEPHONE_PARTS.screen).add(box(W - 2 * bez, H - 2 * bez * 2.5, 0.001), mul(at, T(0, 0, d / 2)));
    b.part(TELEPHONE_PARTS.body);
    const cam = pick(rng, ['single', 'column', 'square'] as const);
    const cr = W * rng.uniform(0.06, 0.1);
    const cams = cam === 'single' ? 1 : cam === 'column' ? intIn(rng, 2, 3) : 4;
    for (let i = 0; i < cams; i++) {
      const cx = -W * 0.3 + (cam === 'square' ? (i % 2) * cr * 2.4 : 0);
      const cy = H * 0.4 - (cam === 'square' ? Math.floor(i / 2) : i) * cr * 2.4;
      b.add(cylinder(cr, 0.003, 12), mul(at, T(cx, cy, -d / 2 - 0.0015), Rx(Math.PI / 2)));
    }
    b.add(box(0.002, H * 0.12, 0.004), mul(at, T(W / 2 + 0.001, H * 0.2, 0)));
  } else if (kind === 'bar') {
    const H = W * rng.uniform(1.8, 2.5);
    const d = rng.uniform(0.015, 0.025);
    const at = Rx(lean);
    b.add(extrude(roundedRect(W, H, W * 0.2, 5), d), at);
    b.part(TELEPHONE_PARTS.screen).add(box(W * 0.75, H * 0.3, 0.002), mul(at, T(0, H * 0.2, d / 2)));
    b.part(TELEPHONE_PARTS.body);
    keypad(0, -H * 0.22, d / 2 + 0.001, W * 0.75, H * 0.4, 4, 3, at);
    if (chance(rng, 0.4)) b.add(cylinder(0.005, H * 0.25, 8), mul(at, T(W * 0.3, H * 0.6, 0)));
  } else if (kind === 'flip') {
    const H = W * rng.uniform(1.2, 1.5);
    const d = rng.uniform(0.01, 0.016);
    const open = rng.uniform(0.2, 0.6);
    const lower = mul(Rx(lean), T(0, -H / 2, 0));
    b.add(extrude(roundedRect(W, H, W * 0.15, 4), d), lower);
    keypad(0, 0, d / 2 + 0.001, W * 0.75, H * 0.7, 4, 3, lower);
    const upper = mul(Rx(lean), T(0, 0, -d / 2), Rx(-open), T(0, H / 2, d / 2));
    b.add(extrude(roundedRect(W, H, W * 0.15, 4), d), upper);
    b.part(TELEPHONE_PARTS.screen).add(box(W * 0.8, H * 0.7, 0.002), mul(upper, T(0, 0, d / 2)));
    b.part(TELEPHONE_PARTS.body);
    b.add(cylinder(d * 0.6, W * 0.9, 10), mul(Rx(lean), T(0, 0, -d / 2), Rz(Math.PI / 2)));
  } else if (kind === 'desk') {
    const bw = rng.uniform(0.16, 0.24);
    const bd = rng.uniform(0.16, 0.24);
    const hf = rng.uniform(0.03, 0.05);
    const hb = hf + rng.uniform(0.02, 0.05);
    const rect = (w: number, y: number, z0: number, z1: number): Vec3[] => [
      [w / 2, y, z1],
      [-w / 2, y, z1],
      [-w / 2, y, z0],
      [w / 2, y, z0],
    ];
    b.add(
      loft([
        rect(bw, 0, -bd / 2, bd / 2),
        [
          [bw / 2, hf, bd / 2],
          [-bw / 2, hf, bd / 2],
          [-bw / 2, hb, -bd / 2],
          [bw / 2, hb, -bd / 2],
        ],
      ]),
    );
    const slope = Math.atan2(hb - hf, bd);
    const face = mul(T(0, (hf + hb) / 2, 0), Rx(-Math.PI / 2 + slope));
    keypad(bw * 0.15, 0, 0.002, bw * 0.4, bd * 0.6, 4, 3, face);
    b.part(TELEPHONE_PARTS.screen);
    if (chance(rng, 0.6)) b.add(box(bw * 0.3, bd * 0.25, 0.003), mul(face, T(-bw * 0.25, bd * 0.2, 0.002)));
    b.part(TELEPHONE_PARTS.handset); // with its cord
    // Handset lying across the left side: a bar with ear and mouth pieces.
    const hl = bd * rng.uniform(0.9, 1.1);
    const hx = -bw / 2 + 0.035;
    const hy = hb + 0.02;
    b.add(box(0.035, 0.025, hl), mul(T(hx, hy, 0), Rx(slope)));
    for (const sz of [-1, 1])
      b.add(cylinder(0.025, 0.03, 12), mul(T(hx, hy - 0.005, (sz * hl) / 2.2), Rx(slope)));
    if (chance(rng, 0.5))
      b.add(
        tube(
          [
            [hx, hy - 0.01, hl / 2],
            [hx - 0.02, 0.02, bd / 2 + 0.03],
            [-bw / 2, 0.01, bd / 2],
          ],
          0.004,
          6,
        ),
      );
  } else {
    const cw = rng.uniform(0.08, 0.12);
    b.add(cylinder(cw / 2, 0.03, 20, cw * 0.45), T(0, 0.015, 0));
    const H = W * rng.uniform(2.2, 2.8);
    const d = rng.uniform(0.02, 0.03);
    b.part(TELEPHONE_PARTS.handset); // the cordless handset standing in its cradle
    const at = mul(T(0, 0.02 + H / 2, 0), Rx(-rng.uniform(0.1, 0.3)));
    b.add(extrude(roundedRect(W * 0.8, H, W * 0.35, 5), d), at);
    b.part(TELEPHONE_PARTS.screen).add(box(W * 0.55, H * 0.2, 0.002), mul(at, T(0, H * 0.25, d / 2)));
    b.part(TELEPHONE_PARTS.handset);
    keypad(0, -H * 0.15, d / 2 + 0.001, W * 0.6, H * 0.4, 4, 3, at);
  }
}
