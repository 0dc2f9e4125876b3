import { microConfig, microSampleSet } from '../../test/trainer-fixtures';
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/context';
import { acquireNodeContext } from '../gpu/node';
import { readSafetensors } from '../io/safetensors';
import { PRESETS } from './presets';
import { type SessionHost, TrainingSession } from './session';
import type { StepMetrics, TrainFault } from './trainer-api';
import { trainingDataFromSampleSet } from './training-data';

const MICRO = microConfig({ checkpointEvery: 2 });

function host() {
  const contexts: GpuContext[] = [];
  const metrics: StepMetrics[] = [];
  const faults: TrainFault[] = [];
  const persisted: number[] = [];
  const set = microSampleSet();
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

  it('a checkpoint carries the curves: a new session that loads it has them, and goes on from there', async () => {
    const t = host();
    const a = await TrainingSession.start(t.h, MICRO);
    await a.run(3);
    a.recordEval({ simDiag: 0.5, simOff: 0.25 });
    const bytes = await a.checkpoint();
    const before = a.history;
    expect(before.step).toEqual([1, 2, 3]);
    a.dispose();
    const b = await TrainingSession.start(t.h, MICRO);
    expect(b.history.step).toEqual([]);
    await b.load(bytes);
    expect(b.step).toBe(3);
    expect(b.history.step).toEqual([1, 2, 3]);
    expect(b.history.loss).toEqual(before.loss);
    expect(b.history.evals).toEqual([{ step: 3, simDiag: 0.5, simOff: 0.25 }]);
    await b.stepOnce();
    expect(b.history.step).toEqual([1, 2, 3, 4]);
    await b.reset();
    expect(b.history.step).toEqual([]);
    b.dispose();
    for (const c of t.contexts) c.destroy();
  });

  it('a run finishes at its configured end, autosaves that step, counts whole epochs, and trains on with more epochs', async () => {
    const t = host();
    // checkpointEvery 100: only the end of the run is autosaved.
    const s = await TrainingSession.start(t.h, { ...MICRO, epochs: 1, checkpointEvery: 100 });
    const perEpoch = s.trainer.stepsPerEpoch;
    expect(perEpoch).toBeGreaterThan(0);
    await s.run();
    expect(s.step).toBe(perEpoch);
    expect(s.finished).toBe(true);
    expect(t.persisted).toEqual([perEpoch]);
    expect(s.savedStep).toBe(perEpoch);
    expect(t.metrics.at(-1)!.epoch).toBe(1); // 1 of 1, not 0
    await s.pause(); // nothing new to save
    expect(t.persisted).toEqual([perEpoch]);
    await s.run(); // a finished run does not step
    expect(s.step).toBe(perEpoch);
    s.continueTo(2);
    expect(s.finished).toBe(false);
    expect(s.config.epochs).toBe(2);
    await s.run();
    expect(s.step).toBe(2 * perEpoch);
    expect(t.persisted).toEqual([perEpoch, 2 * perEpoch]);
    expect(t.metrics.at(-1)!.epoch).toBe(2);
    expect(() => s.continueTo(2)).toThrow(/not more than the run's 2/);
    // The checkpoint writes every setting out, with the new epochs.
    const md = readSafetensors(await s.checkpoint()).metadata;
    expect(JSON.parse(md.config!)).toMatchObject({
      preset: 'tiny',
      seed: 3,
      batch: 4,
      epochs: 2,
      k: 4,
      lr: PRESETS.tiny.lr,
      weightDecay: PRESETS.tiny.weightDecay,
      temperature: PRESETS.tiny.temperature,
      losses: { imid: true, cmid: true },
      checkpointEvery: 100,
    });
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
