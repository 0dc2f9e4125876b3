import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress, settle } from '../../../test/fake-engine';
import { generated, metrics, trainerReply, trainerState } from '../../../test/store-fixtures';
import type { EngineEvent } from '../../worker/protocol';
import { writeSafetensors } from '../../io/safetensors';
import { CHECKPOINT_FORMAT } from '../../train/checkpoint';
import type { TrainConfig } from '../../train/trainer-api';
import { createAppStore } from './index';

/** A run's settings as a checkpoint records them (every setting written out, the data set named). */
const RUN: TrainConfig = {
  preset: 'first-look',
  seed: 7,
  batch: 6,
  lr: 0.004,
  weightDecay: 0,
  epochs: 45,
  temperature: 0.2,
  k: 8,
  losses: { imid: true, cmid: false },
  checkpointEvery: 5,
  data: {
    name: 'sample set',
    source: 'sample',
    counts: [4],
    sample: { perClass: 5, views: 2, seed: 7, points: 128, imageSize: 32 },
  },
};

/** A file whose header is a checkpoint's (the page reads only the header). */
const checkpointFile = (name: string, config: TrainConfig) => {
  const bytes = writeSafetensors(new Map(), {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(config),
    step: '3',
  });
  return { name, arrayBuffer: async () => bytes.slice().buffer } as unknown as File;
};

const HISTORY = { step: [1, 2, 3], imid: [3, 2, 1], cmid: [4, 3, 2], loss: [7, 5, 3], stride: 1 };

describe('the checkpoint slice', () => {
  it('Export ONNX asks the engine worker for the file (nothing is built on the page)', async () => {
    const e = new FakeEngine();
    const bytes = Uint8Array.of(8, 1, 2);
    e.replies['export-onnx'] = () => ({ id: 1, type: 'onnx', step: 7, points: 256, bytes });
    const app = createAppStore(e, fakeAddress());
    const r = await app.getState().exportOnnx();
    expect(e.requests.at(-1)).toEqual({ type: 'export-onnx', batch: 1 });
    expect(r).toEqual({ kind: 'done', value: { id: 1, type: 'onnx', step: 7, points: 256, bytes } });
    expect(app.getState().trainTask).toBeNull();
    e.replies['export-onnx'] = () => ({ id: 1, type: 'error', kind: 'Error', message: 'No model yet' });
    expect(await app.getState().exportOnnx()).toEqual({ kind: 'error', message: 'No model yet' });
  });

  it('Load checkpoint brings the run back with its own settings, data set and curves', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies.reset = () => trainerReply();
    e.replies['checkpoint-load'] = () =>
      trainerReply({ exists: true, step: 3, totalSteps: 90 }, { history: HISTORY });
    const address = fakeAddress('?preset=tiny&seed=1');
    const app = createAppStore(e, address);
    app.setState({ trainer: trainerState({ exists: true, step: 4, savedStep: 4 }) }); // nothing unsaved
    await app.getState().loadCheckpoint(checkpointFile('run.safetensors', RUN));
    // The model of other settings is dropped, the file's sample set made, then the file loaded.
    expect(e.types()).toEqual(['reset', 'generate', 'checkpoint-load']);
    expect(e.requests[1]).toMatchObject({ params: { perClass: 5, views: 2, seed: 7 } });
    expect(e.requests[2]).toMatchObject({
      name: 'run.safetensors',
      config: { preset: 'first-look', seed: 7, epochs: 45, batch: 6, lr: 0.004, k: 8 },
    });
    const s = app.getState();
    expect(s.url).toMatchObject({ preset: 'first-look', seed: 7 });
    expect(s.hyper).toMatchObject({ epochs: '45', batch: '6', lr: '0.004', k: '8', cmid: false });
    expect(address.written.at(-1)).toBe(
      '?preset=first-look&seed=7&panel=data&batch=6&lr=0.004&wd=0&temp=0.2&k=8&epochs=45&autosave=5&losses=imid&per-class=5&views=2',
    );
    expect(s.history.loss).toEqual([7, 5, 3]);
    expect(s.checkpointMessage).toBe('Loaded run.safetensors (step 3) with its settings.');
  });

  it('Load checkpoint and Reset ask before discarding unsaved steps; No leaves everything as it was', async () => {
    const e = new FakeEngine();
    const questions: string[] = [];
    let answer = false;
    const app = createAppStore(e, fakeAddress(), (q) => {
      questions.push(q);
      return answer;
    });
    app.setState({ trainer: trainerState({ exists: true, step: 30, savedStep: 25, totalSteps: 90 }) });
    await app.getState().loadCheckpoint(checkpointFile('other.safetensors', RUN));
    await app.getState().reset();
    expect(e.requests).toEqual([]);
    expect(questions).toEqual([
      'Loading other.safetensors replaces the model at step 30; its last 5 steps are in no checkpoint and will be lost. Go on?',
      'Reset discards the model at step 30: its last 5 steps are in no checkpoint. (The autosave, if any, stays.) Reset?',
    ]);
    // Yes: Reset goes ahead, and the autosave line comes back (Reset keeps the autosave).
    answer = true;
    e.replies.reset = () => trainerReply();
    e.replies['trainer-state'] = () =>
      trainerReply({ autosave: { step: 25, savedAt: 1, bytes: 9, config: RUN } });
    await app.getState().reset();
    expect(e.types()).toEqual(['reset', 'trainer-state']);
    expect(app.getState().trainer.autosave?.step).toBe(25);
    // Nothing unsaved: no question.
    app.setState({ trainer: trainerState({ exists: true, step: 25, savedStep: 25 }) });
    questions.length = 0;
    await app.getState().reset();
    expect(questions).toEqual([]);
  });

  it('Discard autosave asks, then deletes it', async () => {
    const e = new FakeEngine();
    e.replies['autosave-discard'] = () => trainerReply();
    const app = createAppStore(e, fakeAddress('?preset=tiny&seed=2'), () => true);
    app.setState({ trainer: trainerState({ autosave: { step: 25, savedAt: 1, bytes: 9, config: null } }) });
    await app.getState().discardAutosave();
    expect(e.requests).toEqual([{ type: 'autosave-discard', config: expect.objectContaining({ seed: 2 }) }]);
    expect(app.getState().trainer.autosave).toBeNull();
    expect(app.getState().checkpointMessage).toBe('Deleted the autosave of tiny, seed 2.');
  });

  it('Restore autosave sent while the sample set is generated waits for it, then clears stale errors', async () => {
    const e = new FakeEngine();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    e.replies.generate = (req) => held.then(() => generated(req));
    e.replies['checkpoint-restore'] = () => trainerReply({ exists: true, step: 6 });
    const app = createAppStore(e, fakeAddress());
    app.setState({
      faults: [
        { kind: 'error', message: 'No dataset yet: generate the sample set in the Data panel first.' },
      ],
    });
    const gen = app.getState().generate();
    const restore = app.getState().restoreAutosave();
    await settle();
    expect(e.types()).toEqual(['generate']);
    expect(app.getState().trainTask?.label).toMatch(/Waiting for the sample set/);
    release();
    await Promise.all([gen, restore]);
    expect(e.types()).toEqual(['generate', 'checkpoint-restore']);
    const s = app.getState();
    expect(s.trainer.step).toBe(6);
    expect(s.faults).toEqual([]);
    expect(s.checkpointMessage).toMatch(/step 6/);
  });

  it('Resume restores the autosave with its curves, then trains on from it', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies['checkpoint-restore'] = () =>
      trainerReply({ exists: true, step: 3, totalSteps: 9 }, { history: HISTORY });
    e.replies.run = () => trainerReply({ exists: true, running: true, step: 3, totalSteps: 9 });
    const app = createAppStore(e, fakeAddress());
    await app.getState().generate();
    app.setState({ resumeOffer: { step: 3, savedAt: 0 } });
    await app.getState().resume();
    expect(e.types()).toEqual(['generate', 'checkpoint-restore', 'run']);
    const s = app.getState();
    expect(s.resumeOffer).toBeNull();
    expect(s.history.step).toEqual([1, 2, 3]);
    expect(s.trainer.running).toBe(true);
    expect(s.checkpointMessage).toBe('Resumed training from the autosave of step 3.');
    // The next step's metrics continue the restored curve.
    app.getState().onTrainerEvent({ id: -1, type: 'metrics', metrics: metrics(4, 2) } as EngineEvent);
    expect(app.getState().history.step).toEqual([1, 2, 3, 4]);
  });

  it('Resume of a finished run restores it and says it can train on, without Train', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies['trainer-state'] = () =>
      trainerReply({ autosave: { step: 90, savedAt: 1, bytes: 9, config: RUN } });
    e.replies['checkpoint-restore'] = () =>
      trainerReply({ exists: true, step: 90, totalSteps: 90, savedStep: 90 });
    const app = createAppStore(e, fakeAddress());
    await app.getState().syncTrainer(true);
    await app.getState().resume();
    expect(e.types()).toEqual(['trainer-state', 'generate', 'checkpoint-restore']);
    expect(app.getState().url.preset).toBe('first-look');
    expect(app.getState().checkpointMessage).toBe(
      'The autosaved run had finished at step 90: train it on for more epochs.',
    );
  });

  it('a trainer state with an autosave and no model offers to resume; Discard drops the offer', async () => {
    const e = new FakeEngine();
    e.replies['trainer-state'] = () =>
      trainerReply({ autosave: { step: 5, savedAt: 9, bytes: 1, config: null } });
    const app = createAppStore(e, fakeAddress());
    await app.getState().syncTrainer(true);
    expect(app.getState().resumeOffer).toEqual({ step: 5, savedAt: 9 });
    app.getState().discardResume();
    expect(app.getState().resumeOffer).toBeNull();
  });
});
