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
  testShapes: 2,
  error: null,
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
    expect(app.getState().partsAlert).toMatch(/^k \(500\) is larger than the points per cloud \(256\)/);
    expect(e.types()).toEqual([]);
  });

  it('epochs pushed by the worker accumulate; a bad file raises the alert and keeps the shape on screen', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    e.replies['parts-start'] = () => ({ id: 1, type: 'parts-state', state });
    await app.getState().startParts();
    expect(e.requests[0]).toMatchObject({ type: 'parts-start', config: { points: 256, k: 10 } });
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
});
