// Small draws the shape families share. Every family takes one Rng and draws in a fixed order,
// so an object is a pure function of its seed.
import type { Rng } from '../../util/random';
import { loft, type Part, type Vec3 } from './primitives';

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

export function chance(rng: Rng, p: number): boolean {
  return rng.next() < p;
}

/** Integer in [lo, hi], both included. */
export function intIn(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/**
 * A thin tapered panel (wing, fin, stabiliser, sail-like blade): lens-shaped sections in the
 * yz plane at x = 0 (root) and x = span (tip), chord along z (leading edge at +z), the tip's
 * leading edge set back by `sweep` and raised by `rise`.
 */
export function panel(
  rootChord: number,
  tipChord: number,
  span: number,
  sweep: number,
  rise: number,
  thickness: number,
  segs = 10,
): Part {
  const section = (x: number, chord: number, dz: number, dy: number): Vec3[] => {
    const out: Vec3[] = [];
    for (let j = 0; j < segs; j++) {
      const a = (2 * Math.PI * j) / segs;
      // Thicker towards the leading edge, like an airfoil.
      const z = (chord / 2) * Math.cos(a);
      const t = (thickness / 2) * Math.sin(a) * (1.15 - 0.3 * (0.5 - Math.cos(a) / 2));
      out.push([x, dy + t, dz + z]);
    }
    return out;
  };
  return loft([
    section(0, rootChord, 0, 0),
    section(span, tipChord, rootChord / 2 - sweep - tipChord / 2, rise),
  ]);
}
