import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress, settle } from '../../../test/fake-engine';
import { file, generated, metrics, trainerReply } from '../../../test/store-fixtures';
import type { EngineEvent } from '../../worker/protocol';
import { createAppStore } from './index';

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

  it('Load checkpoint brings the file’s curves and says which step it holds', async () => {
    const e = new FakeEngine();
    e.replies['checkpoint-load'] = () => trainerReply({ exists: true, step: 3 }, { history: HISTORY });
    const app = createAppStore(e, fakeAddress());
    await app.getState().loadCheckpoint(file('run.safetensors'));
    expect(e.requests[0]).toMatchObject({ type: 'checkpoint-load', name: 'run.safetensors' });
    expect(app.getState().history.loss).toEqual([7, 5, 3]);
    expect(app.getState().checkpointMessage).toBe('Loaded run.safetensors (step 3).');
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
    e.replies['checkpoint-restore'] = () => trainerReply({ exists: true, step: 3 }, { history: HISTORY });
    e.replies.run = () => trainerReply({ exists: true, running: true, step: 3 });
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

  it('a trainer state with an autosave and no model offers to resume; Discard drops the offer', async () => {
    const e = new FakeEngine();
    e.replies['trainer-state'] = () => trainerReply({ autosave: { step: 5, savedAt: 9, bytes: 1 } });
    const app = createAppStore(e, fakeAddress());
    await app.getState().syncTrainer(true);
    expect(app.getState().resumeOffer).toEqual({ step: 5, savedAt: 9 });
    app.getState().discardResume();
    expect(app.getState().resumeOffer).toBeNull();
  });
});
