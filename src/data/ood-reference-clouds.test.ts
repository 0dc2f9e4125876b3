import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import { setCloudAsUser } from './loaders/read-shape';
import { oodReferenceClouds } from './ood-reference-clouds';

/** A set of 3 classes: train labels 0 0 1 2 2 2, test labels 1 2; clouds of N0 = 40 points. */
function fakeSet() {
  const rng = new Rng(7);
  const N0 = 40;
  const split = (labels: number[]) => ({
    n: labels.length,
    labels: Int32Array.from(labels),
    points: Float32Array.from({ length: labels.length * N0 * 3 }, () => 3 * rng.normal() + 5),
  });
  return {
    name: 'toy',
    classes: ['bowl', 'cup', 'vase'],
    pointsPerCloud: N0,
    train: split([0, 0, 1, 2, 2, 2]),
    test: split([1, 2]),
  };
}

describe('the Classify panel’s evaluation-set reference', () => {
  it('takes the chosen split and classes, each cloud prepared as a classified file is', () => {
    const set = fakeSet();
    const r = oodReferenceClouds(set, { split: 'train', classes: ['bowl', 'vase'] }, 16, 'z');
    expect(r.n).toBe(5);
    expect(Array.from(r.labels)).toEqual([0, 0, 2, 2, 2]);
    expect(r.name).toBe('toy, train split, classes bowl, vase: 5 shapes of 2 classes');
    expect(r.points.length).toBe(5 * 16 * 3);
    // The third kept cloud is train row 3: exactly what classify does to one cloud of an .h5.
    const row3 = set.train.points.subarray(3 * 40 * 3, 4 * 40 * 3);
    expect(Array.from(r.points.subarray(2 * 48, 3 * 48))).toEqual(
      Array.from(setCloudAsUser('toy', row3, 16, 'z').points),
    );
    // Centred, on the unit sphere.
    let far = 0;
    for (let p = 0; p < 16; p++) far = Math.max(far, Math.hypot(...r.points.subarray(p * 3, p * 3 + 3)));
    expect(far).toBeCloseTo(1, 5);
    const all = oodReferenceClouds(set, { split: 'all', classes: [] }, 16, 'y');
    expect(all.n).toBe(8);
    expect(all.name).toBe('toy, train and test splits: 8 shapes of 3 classes');
  });

  it('refuses an unknown class or a choice of fewer than 2 shapes, saying what to do', () => {
    const set = fakeSet();
    expect(() => oodReferenceClouds(set, { split: 'train', classes: ['lamp'] }, 16, 'y')).toThrow(
      /toy has no class "lamp" \(it has bowl, cup, vase\)/,
    );
    expect(() => oodReferenceClouds(set, { split: 'test', classes: ['cup'] }, 16, 'y')).toThrow(InputError);
    expect(() => oodReferenceClouds(set, { split: 'test', classes: ['cup'] }, 16, 'y')).toThrow(
      /toy, test split, classes cup: 1 shapes; the reference needs at least 2/,
    );
  });
});
