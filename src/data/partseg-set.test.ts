import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import {
  augmentedBatch,
  checkPartsegSet,
  NO_AUGMENT,
  type PartsegSet,
  partsegFromSample,
  PARTSEG_AUGMENT,
} from './partseg-set';
import { generateSampleSet } from './sample-set';

function tinySet(): PartsegSet {
  // Two Caps (parts 6, 7) of 4 points, one Airplane (0..3).
  return {
    source: 'tiny',
    S: 3,
    N: 4,
    points: Float32Array.from({ length: 36 }, (_, i) => (i % 7) / 7 - 0.4),
    categories: Int32Array.from([2, 2, 0]),
    parts: Int32Array.from([6, 6, 7, 7, 7, 6, 6, 7, 0, 1, 2, 3]),
    names: ['a.txt', 'b.txt', 'c.txt'],
    notes: [],
  };
}

describe('part-segmentation sets', () => {
  it('a category out of range and a part outside its category get one clear message each', () => {
    expect(() => checkPartsegSet(tinySet())).not.toThrow();
    const badCat = tinySet();
    badCat.categories[1] = 16;
    expect(() => checkPartsegSet(badCat)).toThrow(InputError);
    expect(() => checkPartsegSet(badCat)).toThrow(
      /cloud 1 \(b\.txt\) has category 16, outside ShapeNetPart's 0\.\.15/,
    );
    const badPart = tinySet();
    badPart.parts[9] = 12;
    expect(() => checkPartsegSet(badPart)).toThrow(
      /cloud 2 \(c\.txt\) point 1 has part 12, but a Airplane has parts 0\.\.3 \(body, wing, tail, engine\)/,
    );
  });

  it('the generated set gives airplanes, cars, chairs, lamps and tables with ShapeNetPart categories', () => {
    const set = generateSampleSet({ perClass: 3, points: 64, views: 1, imageSize: 8, seed: 2 });
    const train = partsegFromSample(set, 'train', 32);
    const test = partsegFromSample(set, 'test');
    expect(train.S).toBe(5 * 2);
    expect(test.S).toBe(5);
    expect(train.N).toBe(32);
    expect([...new Set(train.categories)].sort((a, b) => a - b)).toEqual([0, 3, 4, 8, 15]);
    expect(train.names!.every((n) => /^(airplane|car|chair|lamp|table)_/.test(n))).toBe(true);
    // The first 32 of the object's points, with their part labels.
    const first = set.objects.find((o) => o.id === train.names![0])!;
    expect([...train.points.subarray(0, 96)]).toEqual([...first.points.subarray(0, 96)]);
    expect([...train.parts.subarray(0, 32)]).toEqual([...first.parts.subarray(0, 32)]);
  });

  it('augmentation: per-axis scale in [2/3, 3/2], shift in ±0.2, points and parts shuffled together, seeded', () => {
    const set = tinySet();
    const a = augmentedBatch(set, [2, 0], new Rng(7));
    const b = augmentedBatch(set, [2, 0], new Rng(7));
    expect([...a.points]).toEqual([...b.points]);
    expect([...a.categories]).toEqual([0, 2]);
    // Cloud 2's parts are a permutation of 0..3; recover the affine map per axis from two points.
    expect([...a.parts.subarray(0, 4)].sort()).toEqual([0, 1, 2, 3]);
    for (let k = 0; k < 3; k++) {
      const src = (part: number) => set.points[(2 * 4 + part) * 3 + k]!;
      const dst = (part: number) => a.points[a.parts.subarray(0, 4).indexOf(part) * 3 + k]!;
      const scale = (dst(1) - dst(0)) / (src(1) - src(0) || Number.NaN);
      if (Number.isFinite(scale)) {
        expect(scale).toBeGreaterThanOrEqual(PARTSEG_AUGMENT.scaleLo - 1e-5);
        expect(scale).toBeLessThanOrEqual(PARTSEG_AUGMENT.scaleHi + 1e-5);
        const shift = dst(0) - scale * src(0);
        expect(Math.abs(shift)).toBeLessThanOrEqual(0.2 + 1e-5);
        // Every point of the cloud follows the same map with its part label.
        for (let p = 0; p < 4; p++) expect(dst(p)).toBeCloseTo(scale * src(p) + shift, 5);
      }
    }
    const plain = augmentedBatch(set, [1], new Rng(7), NO_AUGMENT);
    expect([...plain.points]).toEqual([...set.points.subarray(12, 24)]);
    expect([...plain.parts]).toEqual([...set.parts.subarray(4, 8)]);
  });
});
