import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import type { ObjectMeta } from './object-analyses';
import { fitSetClassifier, OOD_FALSE_ALARM } from './set-classifier';

const D = 16;

/** Four classes of 20 objects (16 train, 4 test) around random centres of norm 6, noise 0.5, plus a large shared component. */
function clusters(seed: number) {
  const rng = new Rng(seed);
  const common = Float32Array.from({ length: D }, () => 20 + rng.normal());
  const centres = Array.from({ length: 4 }, () => {
    const c = Float32Array.from({ length: D }, () => rng.normal());
    const norm = Math.hypot(...c);
    return c.map((v, j) => common[j]! + (6 * v) / norm);
  });
  const objects: ObjectMeta[] = [];
  const features = new Float32Array(80 * D);
  for (let i = 0; i < 80; i++) {
    const label = Math.floor(i / 20);
    objects.push({ id: `o${i}`, label, split: i % 20 < 16 ? 'train' : 'test' });
    for (let j = 0; j < D; j++) features[i * D + j] = centres[label]![j]! + 0.5 * rng.normal();
  }
  return { rng, common, centres, objects, sample: { features, dim: D } };
}

describe('fitSetClassifier', () => {
  it('names the class of a familiar cloud, flags a cloud of no class, and says what its scores are', () => {
    const { rng, common, centres, objects, sample } = clusters(4);
    const clf = fitSetClassifier(sample, objects, ['a', 'b', 'c', 'd']);
    const near = clf.predict(centres[3]!.map((v) => v + 0.5 * rng.normal()));
    expect(near.top[0]!.className).toBe('d');
    // One-vs-one votes: the winner beat all 3 others; scores stay within [0, classes − 1 + ⅓).
    expect(near.maxScore).toBe(3);
    expect(near.top[0]!.score).toBeGreaterThan(2.6);
    for (const t of near.top) expect(t.score).toBeGreaterThan(-1 / 3);
    expect(near.scoreMeaning).toMatch(/of the 3 one-against-one contests/);
    expect(near.ood.outOfDistribution).toBe(false);
    expect(near.ood.nearestClass).toBe('d');
    expect(near.ood.falseAlarm).toBe(OOD_FALSE_ALARM);
    expect(near.ood.calibrationShapes).toBe(80);
    expect(near.nearest[0]!.className).toBe('d');

    // The shared component plus a direction no class has: raw cosine to every shape stays near 1.
    const q = Float32Array.from({ length: D }, () => rng.normal());
    const norm = Math.hypot(...q);
    const far = clf.predict(q.map((v, j) => common[j]! + (6 * v) / norm));
    expect(far.ood.outOfDistribution).toBe(true);
    expect(far.ood.distance).toBeGreaterThan(far.ood.threshold);
    expect(far.ood.pValue).toBeLessThan(0.05);
    expect(far.top).toHaveLength(4);
    expect(far.nearest).toHaveLength(5);
  });
});
