import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress } from '../../../test/fake-engine';
import { file } from '../../../test/store-fixtures';
import type { EngineEvent, PartsEpoch, PartsState } from '../../worker/protocol';
import { createAppStore } from './index';

const state: PartsState = {
  exists: true,
  running: true,
  config: null,
  epochs: { pretrained: 1, random: 0 },
  transferred: [],
  encoderStep: null,
  trainShapes: 8,
  baselineMiou: 0.2,
  testShapes: 2,
  error: null,
  autosave: null,
  autosaveError: null,
};

const predicted = (name: string): EngineEvent => ({
  id: 1,
  type: 'parts-prediction',
  reply: {
    file: name,
    category: 4,
    arm: 'pretrained',
    epoch: 1,
    points: new Float32Array(3),
    pred: Int32Array.of(12),
    prob: Float32Array.of(0.5),
    truth: null,
    perPart: null,
    shapeIou: null,
    notes: [],
  },
});

describe('the parts slice', () => {
  it('k above the points is refused on the page: one message, nothing sent', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    app.getState().setPartsForm({ k: 500 });
    expect(app.getState().partsSize).toBe('custom');
    await app.getState().startParts();
    expect(app.getState().partsAlert).toMatch(/^k \(500\) is larger than the points per cloud \(128\)/);
    expect(e.types()).toEqual([]);
  });

  it('epochs pushed by the worker accumulate; a bad file raises the alert and keeps the shape on screen', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    e.replies['parts-start'] = () => ({ id: 1, type: 'parts-state', state });
    await app.getState().startParts();
    expect(e.requests[0]).toMatchObject({
      type: 'parts-start',
      config: { points: 128, k: 10, bnMomentum: 0.5 },
    });
    const epoch = { arm: 'pretrained', epoch: 1, instanceMiou: 0.4 } as PartsEpoch;
    app.getState().onPartsEvent({ id: -1, type: 'parts-epoch', epoch, state });
    expect(app.getState().partsEpochs).toEqual([epoch]);
    e.replies['parts-predict'] = () => predicted('chair.txt');
    app.getState().setPartsCategory(4);
    await app.getState().predictParts(file('chair.txt'));
    expect(app.getState().partsPrediction).toMatchObject({ kind: 'done', value: { file: 'chair.txt' } });
    expect(e.requests.at(-1)).toMatchObject({ type: 'parts-predict', category: 4, arm: 'pretrained' });
    e.replies['parts-predict'] = () => ({
      id: 1,
      type: 'file-error',
      message: "bad.txt: line 1 has part 3, outside Chair's parts 12..15",
    });
    await app.getState().predictParts(file('bad.txt'));
    expect(app.getState().partsAlert).toMatch(/outside Chair's parts/);
    expect(app.getState().partsPrediction).toMatchObject({ kind: 'done', value: { file: 'chair.txt' } });
  });

  it('after a reload: sync offers the autosave, restore brings back the curves and epochs, paused', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    const autosave = {
      epochs: { pretrained: 2, random: 1 },
      savedAt: 1,
      config: {
        model: 'small',
        points: 64,
        k: 8,
        batch: 4,
        perClass: 3,
        epochs: 5,
        seed: 1,
        bnMomentum: 0.1,
      },
    } as const;
    const saved: PartsState = {
      ...state,
      exists: false,
      running: false,
      epochs: { pretrained: 0, random: 0 },
      autosave,
    };
    e.replies['parts-sync'] = () => ({ id: 1, type: 'parts-state', state: saved });
    await app.getState().syncParts();
    expect(app.getState().partsState?.autosave?.epochs).toEqual({ pretrained: 2, random: 1 });
    const epochs = [
      { arm: 'pretrained', epoch: 1, instanceMiou: 0.3 },
      { arm: 'pretrained', epoch: 2, instanceMiou: 0.4 },
      { arm: 'random', epoch: 1, instanceMiou: 0.2 },
    ] as PartsEpoch[];
    const restored: PartsState = { ...saved, exists: true, epochs: { pretrained: 2, random: 1 } };
    e.replies['parts-restore'] = () => ({
      id: 1,
      type: 'parts-state',
      state: restored,
      epochs,
      message: 'Restored the autosaved runs (paused): press Play to go on.',
    });
    await app.getState().restoreParts();
    expect(e.types()).toEqual(['parts-sync', 'parts-restore']);
    expect(app.getState().partsEpochs).toEqual(epochs);
    expect(app.getState().partsState).toMatchObject({ exists: true, running: false });
    expect(app.getState().partsMessage).toMatch(/^Restored the autosaved runs/);
    // A refused restore (nothing there any more) is the alert; the runs and curves stay.
    e.replies['parts-restore'] = () => ({ id: 1, type: 'file-error', message: 'No autosaved Parts runs' });
    await app.getState().restoreParts();
    expect(app.getState().partsAlert).toBe('No autosaved Parts runs');
    expect(app.getState().partsEpochs).toEqual(epochs);
  });

  it("a checkpoint file goes to the chosen run; download returns the worker's bytes; a bad file keeps the runs", async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    const epochs = [{ arm: 'random', epoch: 3, instanceMiou: 0.5 }] as PartsEpoch[];
    e.replies['parts-load'] = () => ({
      id: 1,
      type: 'parts-state',
      state: { ...state, running: false },
      epochs,
      message: 'Loaded run.safetensors (epoch 3 of 5) as the random run.',
    });
    await app.getState().loadPartsCheckpoint('random', file('run.safetensors'));
    expect(e.requests.at(-1)).toMatchObject({ type: 'parts-load', arm: 'random', name: 'run.safetensors' });
    expect(app.getState().partsEpochs).toEqual(epochs);
    expect(app.getState().partsMessage).toMatch(/as the random run/);
    e.replies['parts-load'] = () => ({
      id: 1,
      type: 'file-error',
      message: 'bad.safetensors: not a part-segmentation checkpoint',
    });
    await app.getState().loadPartsCheckpoint('pretrained', file('bad.safetensors'));
    expect(app.getState().partsAlert).toMatch(/not a part-segmentation checkpoint/);
    expect(app.getState().partsEpochs).toEqual(epochs);
    const bytes = Uint8Array.of(1, 2, 3);
    e.replies['parts-download'] = () => ({
      id: 1,
      type: 'parts-checkpoint',
      arm: 'pretrained',
      epoch: 3,
      bytes,
    });
    expect(await app.getState().downloadPartsCheckpoint('pretrained')).toEqual({ bytes, epoch: 3 });
    expect(e.requests.at(-1)).toEqual({ type: 'parts-download', arm: 'pretrained' });
  });
});
