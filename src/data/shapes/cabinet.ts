// Cabinets: panel carcasses of many proportions, fronted by doors, drawers, drawers over doors,
// or open shelves; plinth, legs or nothing underneath; knob or bar handles.
import type { Rng } from '../../util/random';
import { chance, intIn, pick } from './params';
import { box, cylinder, type MeshBuilder, mul, Rx, T } from './primitives';
import { CABINET_PARTS } from './part-ids';

export function cabinet(rng: Rng, b: MeshBuilder): void {
  const W = rng.uniform(0.4, 1.4);
  const H = rng.uniform(0.45, 2.0);
  const D = rng.uniform(0.3, 0.6);
  const t = rng.uniform(0.015, 0.03);
  const base = pick(rng, ['plinth', 'legs', 'none'] as const);
  const front = pick(rng, ['doors', 'drawers', 'mixed', 'open'] as const);
  const handle = pick(rng, ['knob', 'bar', 'vbar'] as const);
  const baseH = base === 'none' ? 0 : rng.uniform(0.04, 0.15);

  const y0 = baseH;
  const h = H - baseH;
  b.part(CABINET_PARTS.body); // carcass, plinth or legs
  if (base === 'plinth') b.add(box(W - 0.04, baseH, D - 0.04), T(0, baseH / 2, -0.01));
  else if (base === 'legs') {
    const lr = rng.uniform(0.015, 0.03);
    for (const sx of [-1, 1])
      for (const sz of [-1, 1])
        b.add(cylinder(lr, baseH, 8, lr * 0.7), T(sx * (W / 2 - 0.05), baseH / 2, sz * (D / 2 - 0.05)));
  }
  // Carcass panels.
  for (const sx of [-1, 1]) b.add(box(t, h, D), T(sx * (W / 2 - t / 2), y0 + h / 2, 0));
  const over = chance(rng, 0.4) ? rng.uniform(0.01, 0.04) : 0;
  b.add(box(W + 2 * over, t * 1.5, D + over), T(0, y0 + h - t * 0.75, over / 2));
  b.add(box(W - 2 * t, t, D), T(0, y0 + t / 2, 0));
  b.add(box(W - 2 * t, h - 2 * t, t), T(0, y0 + h / 2, -D / 2 + t / 2));

  const inner = W - 2 * t;
  const zf = D / 2 + 0.006;
  const addHandle = (x: number, y: number, wide: boolean) => {
    b.part(CABINET_PARTS.handle);
    if (handle === 'knob') b.add(cylinder(0.012, 0.03, 8), mul(T(x, y, zf + 0.015), Rx(Math.PI / 2)));
    else if (handle === 'bar' || wide)
      b.add(box(Math.min(0.14, inner * 0.25), 0.015, 0.02), T(x, y, zf + 0.01));
    else b.add(box(0.015, 0.14, 0.02), T(x, y, zf + 0.01));
  };
  const drawers = (yLo: number, yHi: number, rows: number, cols: number) => {
    const rh = (yHi - yLo) / rows;
    const cw = inner / cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const x = -inner / 2 + (c + 0.5) * cw;
        const y = yLo + (r + 0.5) * rh;
        b.part(CABINET_PARTS.front).add(box(cw - 0.006, rh - 0.006, 0.02), T(x, y, D / 2 - 0.01 + 0.006));
        addHandle(x, y + rh * 0.15, true);
      }
    }
  };
  const doors = (yLo: number, yHi: number, n: number) => {
    const dw = inner / n;
    for (let i = 0; i < n; i++) {
      const x = -inner / 2 + (i + 0.5) * dw;
      b.part(CABINET_PARTS.front).add(
        box(dw - 0.006, yHi - yLo - 0.006, 0.02),
        T(x, (yLo + yHi) / 2, D / 2 - 0.01 + 0.006),
      );
      const hx = n === 1 ? x + dw * 0.38 : x + (i % 2 === 0 ? 1 : -1) * dw * 0.38;
      addHandle(hx, (yLo + yHi) / 2, false);
    }
  };
  const lo = y0 + t;
  const hi = y0 + h - t * 1.5;
  const nDoors = inner > 0.7 ? intIn(rng, 2, 3) : intIn(rng, 1, 2);
  if (front === 'doors') doors(lo, hi, nDoors);
  else if (front === 'drawers')
    drawers(lo, hi, intIn(rng, 2, Math.max(2, Math.min(7, Math.round(h / 0.18)))), inner > 0.9 ? 2 : 1);
  else if (front === 'mixed') {
    const split = lo + (hi - lo) * rng.uniform(0.55, 0.8);
    doors(lo, split, nDoors);
    drawers(split, hi, intIn(rng, 1, 2), inner > 0.8 ? 2 : 1);
  } else {
    const n = intIn(rng, 1, Math.max(1, Math.round(h / 0.35)));
    b.part(CABINET_PARTS.shelf);
    for (let i = 1; i <= n; i++) b.add(box(inner, t, D - t), T(0, lo + ((hi - lo) * i) / (n + 1), t / 2));
    if (inner > 0.8 && chance(rng, 0.5)) b.add(box(t, hi - lo, D - t), T(0, (lo + hi) / 2, t / 2));
  }
}
