import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { acquireNodeContext } from '../gpu/node';
import { generateSampleSet } from '../data/sample-set';
import { type SessionHost, TrainingSession } from './session';
import type { StepMetrics, TrainConfig, TrainFault } from './trainer-api';
import { trainingDataFromSampleSet } from './training-data';

const MICRO: TrainConfig = {
  preset: 'tiny',
  seed: 3,
  batch: 4,
  epochs: 10,
  checkpointEvery: 2,
  model: {
    points: 32,
    imageSize: 8,
    dgcnn: { k: 4, edgeWidths: [8, 8, 16, 16], emb: 32, headHidden: 32, proj: 16 },
    resnet: { block: 'basic', layers: [1, 1, 1, 1], base: 4, stem: 'small', headHidden: 16, proj: 16 },
  },
};

function host() {
  const contexts: GpuContext[] = [];
  const metrics: StepMetrics[] = [];
  const faults: TrainFault[] = [];
  const persisted: number[] = [];
  const set = generateSampleSet({ perClass: 2, points: 32, views: 2, imageSize: 8, seed: 5 });
  const h: SessionHost = {
    async acquire() {
      const ctx = await acquireNodeContext();
      contexts.push(ctx);
      return ctx;
    },
    loadData: (ctx) => trainingDataFromSampleSet(ctx, set),
    onMetrics: (m) => metrics.push(m),
    onFault: (f) => faults.push(f),
    onState: () => {},
    persist: async (_bytes, step) => {
      persisted.push(step);
    },
  };
  return { h, contexts, metrics, faults, persisted };
}

describe('training session', () => {
  it('runs until a step, pauses, and autosaves every N steps', async () => {
    const t = host();
    const s = await TrainingSession.start(t.h, MICRO);
    await s.run(3);
    expect(s.step).toBe(3);
    expect(t.metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(t.persisted).toEqual([2]);
    await s.pause(); // autosaves on pause
    expect(t.persisted).toEqual([2, 3]);
    await s.reset();
    expect(s.step).toBe(0);
    s.dispose();
    for (const c of t.contexts) c.destroy();
  });

  it('a lost device is re-acquired and training continues from the last checkpoint, reported', async () => {
    const t = host();
    const s = await TrainingSession.start(t.h, MICRO);
    await s.run(3); // checkpoint at step 2 (checkpointEvery)
    t.contexts[0]!.device.destroy(); // not through ctx.destroy(): looks like a driver loss
    await new Promise((r) => setTimeout(r, 50));
    const m = await s.stepOnce();
    expect(t.contexts).toHaveLength(2);
    const lost = t.faults.find((f) => f.kind === 'device-lost');
    expect(lost?.restoredStep).toBe(2);
    expect(lost?.message).toContain('checkpoint of step 2');
    expect(m?.step).toBe(3);
    expect(s.step).toBe(3);
    s.dispose();
    for (const c of t.contexts) c.destroy();
  });
});
