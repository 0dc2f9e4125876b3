import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { microConfig, microSampleSet, microTrainingData } from '../../test/trainer-fixtures';
import { FeatureSnapshot } from './feature-snapshot';
import { Trainer } from './trainer';
import type { TrainingData } from './training-data';

const gpu = setupGpu();

const MICRO = microConfig({ seed: 4 });

let data: TrainingData;
beforeAll(async () => {
  data = await microTrainingData(gpu(), microSampleSet({ points: 48, seed: 6 }));
});
afterAll(() => data?.destroy());

async function train(t: Trainer, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await t.trainStep();
    if (!r.ok) throw new Error(r.fault.message);
  }
}

describe('FeatureSnapshot', () => {
  it("holds the live model's features at the snapshot step while the model trains on, without gradients or optimiser state", async () => {
    const t = await Trainer.create(gpu(), MICRO, data);
    await train(t, 2);
    const snap = await FeatureSnapshot.of(t);
    expect(snap.step).toBe(2);
    // 11 objects: a full point batch of 2B = 8 clouds, then a padded one.
    const objs = [9, 0, 25, 3, 14, 7, 20, 1, 11, 5, 17];
    const live = await t.features(objs);
    const copied = await snap.features(objs);
    expect(copied.length).toBe(live.length);
    let worst = 0;
    for (let i = 0; i < live.length; i++) worst = Math.max(worst, Math.abs(copied[i]! - live[i]!));
    expect(worst).toBeLessThan(1e-6);
    // Clouds from outside the dataset (an evaluation set): the same rows, from their first N of 48 points.
    const clouds = new Float32Array(objs.length * 48 * 3); // [11, 48, 3]
    objs.forEach((o, i) => {
      clouds.set(data.hostClouds[o]!, i * 48 * 3);
    });
    const fromClouds = await snap.cloudsFeatures(clouds, objs.length);
    expect(fromClouds.length).toBe(live.length);
    let off = 0;
    for (let i = 0; i < live.length; i++) off = Math.max(off, Math.abs(fromClouds[i]! - copied[i]!));
    expect(off).toBeLessThan(1e-5);
    // The live model moves on; the snapshot stays at step 2.
    await train(t, 2);
    const later = await t.features(objs);
    let moved = 0;
    for (let i = 0; i < live.length; i++) moved = Math.max(moved, Math.abs(later[i]! - live[i]!));
    expect(moved).toBeGreaterThan(1e-4);
    expect(await snap.features(objs)).toEqual(copied);
    // Eval only: weights and BatchNorm statistics, no gradients, no Adam moments, no image branch.
    const groups = snap.bytesByGroup();
    expect(groups.weights).toBeGreaterThan(0);
    expect(groups['bn-stats']).toBeGreaterThan(0);
    expect(groups.grads).toBeUndefined();
    expect(groups.optimizer).toBeUndefined();
    expect(groups['activation-grads']).toBeUndefined();
    const trainerGroups = t.arena.byGroup();
    expect(trainerGroups.grads).toBeGreaterThan(0); // what the snapshot leaves out
    snap.dispose();
    t.dispose();
  });
});
