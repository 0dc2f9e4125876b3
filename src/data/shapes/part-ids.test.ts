import { describe, expect, it } from 'vitest';
import { samplePoints } from '../sampling';
import { CATEGORIES, generateObject } from './index';
import { GENERATED_PARTS } from './part-ids';
import { box, MeshBuilder, T } from './primitives';

describe('generated part labels', () => {
  it('every triangle of every category carries one of its own parts, and every part shows up', () => {
    for (const c of CATEGORIES) {
      const own = new Set<number>(Object.values(GENERATED_PARTS[c].parts));
      const seen = new Set<number>();
      for (let i = 0; i < 24; i++) {
        const m = generateObject(c, i, 3);
        expect(m.faceParts!.length, `${c} ${i}`).toBe(m.indices.length / 3);
        for (const p of m.faceParts!) {
          expect(own.has(p), `${c} ${i}: part ${p} is not one of ${[...own]}`).toBe(true);
          seen.add(p);
        }
      }
      // A lamp never gets a canopy (no generated lamp hangs from a ceiling).
      const expected = [...own].filter((p) => !(c === 'lamp' && p === GENERATED_PARTS.lamp.parts.canopy));
      expect(
        [...seen].sort((a, b) => a - b),
        c,
      ).toEqual(expected.sort((a, b) => a - b));
    }
  });

  it('parts are where they should be: wheels low on a car, a table top above its legs', () => {
    for (let i = 0; i < 6; i++) {
      const car = generateObject('car', i, 1);
      const s = samplePoints(car, 2000, i);
      const meanY = (part: number) => {
        let sum = 0;
        let n = 0;
        for (let p = 0; p < 2000; p++) {
          if (car.faceParts![s.faces[p]!] === part) {
            sum += s.points[p * 3 + 1]!;
            n++;
          }
        }
        return n ? sum / n : Number.NaN;
      };
      const P = GENERATED_PARTS.car.parts;
      expect(meanY(P.wheel)).toBeLessThan(meanY(P.body));
      expect(meanY(P.roof)).toBeGreaterThan(meanY(P.body));
      expect(meanY(P.hood)).toBeGreaterThan(meanY(P.wheel));
    }
    const t = generateObject('table', 2, 1);
    const top = GENERATED_PARTS.table.parts.top;
    let topMin = Infinity;
    let legMax = -Infinity;
    for (let f = 0; f < t.faceParts!.length; f++) {
      for (let k = 0; k < 3; k++) {
        const y = t.positions[t.indices[f * 3 + k]! * 3 + 1]!;
        if (t.faceParts![f] === top) topMin = Math.min(topMin, y);
        else if (t.faceParts![f] === GENERATED_PARTS.table.parts.leg) legMax = Math.max(legMax, y);
      }
    }
    expect(topMin).toBeGreaterThanOrEqual(legMax - 1e-6);
  });

  it('a tag function sees each triangle’s centroid and outward normal after the transform', () => {
    const b = new MeshBuilder();
    b.part((c, n) => (n[1] > 0.9 ? 1 : c[0] > 2 ? 2 : 3)).add(box(1, 1, 1), T(2.2, 0, 0)); // x from 1.7 to 2.7
    const m = b.build();
    const counts = [0, 0, 0, 0];
    for (const p of m.faceParts!) counts[p]!++;
    expect(counts).toEqual([0, 2, 8, 2]); // top faces up; the −x side (x = 1.7) is the only one left of x = 2
  });
});
