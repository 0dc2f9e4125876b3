import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { familiarity } from './familiarity';
import { predictFromFeatures } from './object-analyses';
import type { ObjectMeta } from './object-analyses';

const D = 16;

/** Four classes of 10 objects (8 train, 2 test) around random centres of norm 6, noise 0.5. */
function clusters(seed: number) {
  const rng = new Rng(seed);
  const centres = Array.from({ length: 4 }, () => {
    const c = Float32Array.from({ length: D }, () => rng.normal());
    const norm = Math.hypot(...c);
    return c.map((v) => (6 * v) / norm);
  });
  const objects: ObjectMeta[] = [];
  const features = new Float32Array(40 * D);
  for (let i = 0; i < 40; i++) {
    const label = Math.floor(i / 10);
    objects.push({ id: `o${i}`, label, split: i % 10 < 8 ? 'train' : 'test' });
    for (let j = 0; j < D; j++) features[i * D + j] = centres[label]![j]! + 0.5 * rng.normal();
  }
  return { rng, centres, objects, sample: { features, dim: D } };
}

describe('familiarity', () => {
  it('a new draw of a known class is familiar', () => {
    const { rng, centres, objects, sample } = clusters(1);
    const q = centres[2]!.map((v) => v + 0.5 * rng.normal());
    const f = familiarity(sample, objects, q);
    expect(f.far).toBe(false);
    expect(f.reasons).toEqual([]);
    expect(f.nearestSimilarity).toBeGreaterThan(f.typicalNearest);
  });

  it('a shape in a direction no class has is far, with both reasons', () => {
    const { rng, objects, sample } = clusters(2);
    const q = Float32Array.from({ length: D }, () => rng.normal());
    const f = familiarity(
      sample,
      objects,
      q.map((v) => (8 * v) / Math.hypot(...q)),
    );
    expect(f.far).toBe(true);
    expect(f.reasons).toHaveLength(2);
    expect(f.reasons[0]).toMatch(/nearest shape .* cosine similarity/);
    expect(f.reasons[1]).toMatch(/farther from the nearest class centre/);
  });

  it('one failed test alone does not flag the shape (a known class scaled far out keeps its direction)', () => {
    const { centres, objects, sample } = clusters(3);
    const f = familiarity(
      sample,
      objects,
      centres[1]!.map((v) => 10 * v),
    );
    expect(f.centreDistance).toBeGreaterThan(f.typicalCentreDistance);
    expect(f.nearestSimilarity).toBeGreaterThan(f.typicalNearest);
    expect(f.reasons).toHaveLength(1);
    expect(f.far).toBe(false);
  });

  it('matches hand-computed values on a three-object set', () => {
    // Leave-one-out nearest similarities [1, 1, 0]: the 5th percentile (nearest rank) is 0.
    const objects: ObjectMeta[] = [
      { id: 'a', label: 0, split: 'train' },
      { id: 'b', label: 0, split: 'train' },
      { id: 'c', label: 1, split: 'train' },
    ];
    const sample = { features: Float32Array.of(1, 0, 1, 0, 0, 1), dim: 2 };
    const f = familiarity(sample, objects, Float32Array.of(1, 1));
    expect(f.typicalNearest).toBe(0);
    expect(f.nearestSimilarity).toBeCloseTo(Math.SQRT1_2, 6);
    // Standardised per feature over the train rows: mean (2/3, 1/3), sd √2/3 each; class 0's
    // centre is (1/√2, −1/√2), class 1's (−√2, √2); every train object sits on its centre.
    expect(f.typicalCentreDistance).toBeCloseTo(0, 6);
    const z = [(1 - 2 / 3) / (Math.SQRT2 / 3), (1 - 1 / 3) / (Math.SQRT2 / 3)];
    expect(f.centreDistance).toBeCloseTo(Math.hypot(z[0]! - Math.SQRT1_2, z[1]! + Math.SQRT1_2), 6);
  });
});

describe('predictFromFeatures', () => {
  it('names a class for a familiar cloud and flags a far one, with the same top-5 either way', () => {
    const { rng, centres, objects, sample } = clusters(4);
    const classes = ['a', 'b', 'c', 'd'];
    const near = predictFromFeatures(
      sample,
      objects,
      classes,
      centres[3]!.map((v) => v + 0.5 * rng.normal()),
    );
    expect(near.top[0]!.className).toBe('d');
    expect(near.familiarity.far).toBe(false);
    const q = Float32Array.from({ length: D }, () => rng.normal());
    const far = predictFromFeatures(
      sample,
      objects,
      classes,
      q.map((v) => (8 * v) / Math.hypot(...q)),
    );
    expect(far.familiarity.far).toBe(true);
    expect(far.top).toHaveLength(4);
    expect(far.nearest).toHaveLength(5);
  });
});
