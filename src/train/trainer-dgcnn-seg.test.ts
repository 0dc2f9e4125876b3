import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { microConfig, microTrainingData } from '../../test/trainer-fixtures';
import { partSegConfigForPreset, partSegHeadNames } from '../nn/dgcnn-partseg-config';
import { loadPartSegWeights } from '../nn/partseg-weights';
import { Trainer } from './trainer';
import type { TrainingData } from './training-data';

const gpu = setupGpu();

const MICRO_SEG = microConfig({ encoder: 'dgcnn_seg' });

let data: TrainingData;
beforeAll(async () => {
  data = await microTrainingData(gpu());
});
afterAll(() => data?.destroy());

describe('CrossPoint pretraining of the dgcnn_seg encoder', () => {
  it('overfits one fixed batch, and its checkpoint fine-tunes part segmentation with only the head missing', async () => {
    const t = await Trainer.create(gpu(), { ...MICRO_SEG, fixedBatch: true, augment: false, lr: 3e-3 }, data);
    expect(t.point.kind).toBe('dgcnn_seg');
    const L: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await t.trainStep();
      if (!r.ok) throw new Error(r.fault.message);
      L.push(r.metrics.loss);
    }
    expect(L.every(Number.isFinite)).toBe(true);
    expect(L[L.length - 1]!).toBeLessThan(0.8 * L[0]!);
    const bytes = await t.saveCheckpoint();
    const config = partSegConfigForPreset({ ...MICRO_SEG.model!.dgcnn!, k: 4 } as Parameters<
      typeof partSegConfigForPreset
    >[0]);
    const w = loadPartSegWeights(bytes, { expect: config, strict: false, seed: 1 });
    expect(w.missing).toEqual(partSegHeadNames(config));
    expect(w.unexpected).toEqual([]);
    const trained = await t.point.params.download();
    for (const name of [
      'transform_net.conv3.1.weight',
      'transform_net.bn3.bias',
      'conv6.0.weight',
      'bn5.running_var',
    ])
      expect(w.values.get(name), name).toEqual(trained.get(name));
    t.dispose();
  }, 600_000); // the first step compiles every pipeline of both models: minutes on a loaded CPU adapter
});
