import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { generateSampleSet } from '../data/sample-set';
import { FeatureSnapshot } from './feature-snapshot';
import { Trainer } from './trainer';
import type { TrainConfig } from './trainer-api';
import { type TrainingData, trainingDataFromSampleSet } from './training-data';

const gpu = setupGpu();

// A very small model, so a step takes well under a second on a CPU adapter.
const MICRO: TrainConfig = {
  preset: 'tiny',
  seed: 4,
  batch: 4,
  epochs: 10,
  k: 4,
  model: {
    points: 32,
    imageSize: 8,
    dgcnn: { edgeWidths: [8, 8, 16, 16], emb: 32, headHidden: 32, proj: 16 },
    resnet: { block: 'basic', layers: [1, 1, 1, 1], base: 4, stem: 'small', headHidden: 16, proj: 16 },
  },
};

let data: TrainingData;
beforeAll(async () => {
  const set = generateSampleSet({ perClass: 2, points: 48, views: 2, imageSize: 8, seed: 6 });
  data = await trainingDataFromSampleSet(gpu(), set);
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
