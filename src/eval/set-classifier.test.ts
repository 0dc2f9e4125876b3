import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import type { ObjectMeta } from './object-analyses';
import { fitSetClassifier, GENERATED_REFERENCE_CAVEAT, OOD_FALSE_ALARM } from './set-classifier';

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

  it('calibrated on generated shapes it flags real shapes of the same classes; calibrated on real ones it does not', () => {
    // What measure:ood found: real files of a class sit farther from the generated shapes of that
    // class than the generated classes sit from each other (a domain offset), so a threshold set on
    // the generated set calls them all out of distribution. The same score calibrated on real
    // shapes of the classes gives the stated false-alarm rate on fresh real shapes and still
    // flags a class it never saw.
    const { rng, centres, objects, sample } = clusters(7);
    const offset = Float32Array.from({ length: D }, () => 4 * rng.normal()); // |offset| ≈ 16 ≫ class spread 6
    const real = (c: Float32Array) => c.map((v, j) => v + offset[j]! + 0.5 * rng.normal());
    const refLabels = Int32Array.from({ length: 120 }, (_, i) => i % 4);
    const refFeatures = new Float32Array(120 * D); // [120, D] real shapes of the 4 classes
    for (let i = 0; i < 120; i++) refFeatures.set(real(centres[i % 4]!), i * D);
    const classes = ['a', 'b', 'c', 'd'];
    const onGenerated = fitSetClassifier(sample, objects, classes, {
      name: 'generated',
      generated: true,
      isSet: true,
      features: sample.features,
      labels: Int32Array.from(objects, (o) => o.label),
      classes,
    });
    const onReal = fitSetClassifier(sample, objects, classes, {
      name: 'real.h5: 120 shapes of 4 classes',
      generated: false,
      isSet: false,
      features: refFeatures,
      labels: refLabels,
      classes,
    });
    const draws = 400;
    let flaggedGenerated = 0;
    let flaggedReal = 0;
    for (let i = 0; i < draws; i++) {
      const q = real(centres[i % 4]!);
      if (onGenerated.predict(q).ood.outOfDistribution) flaggedGenerated++;
      const v = onReal.predict(q).ood;
      if (v.outOfDistribution) flaggedReal++;
      if (i === 0) {
        expect(v.reference).toEqual({
          name: 'real.h5: 120 shapes of 4 classes',
          generated: false,
          isSet: false,
          shapes: 120,
          classes: 4,
        });
        expect(v.calibrationShapes).toBe(120);
        expect(v.caveat).toBeUndefined();
      }
    }
    expect(flaggedGenerated / draws).toBeGreaterThan(0.9); // the generated reference: nearly all false alarms
    // Stated 5 %; binomial sd over 400 draws ≈ 1.1 %, and the threshold is a quantile of 120 scores.
    expect(flaggedReal / draws).toBeGreaterThan(0.01);
    expect(flaggedReal / draws).toBeLessThan(0.11);
    expect(onGenerated.predict(real(centres[0]!)).ood.caveat).toBe(GENERATED_REFERENCE_CAVEAT);
    // A fifth class in the real domain: flagged by the real reference.
    let caught = 0;
    for (let i = 0; i < 100; i++) {
      const c = Float32Array.from({ length: D }, () => rng.normal());
      const norm = Math.hypot(...c);
      const stranger = centres[0]!.map((v, j) => v + (6 * c[j]!) / norm);
      if (onReal.predict(real(stranger)).ood.outOfDistribution) caught++;
    }
    expect(caught / 100).toBeGreaterThan(0.9);
  });
});
