import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress, settle } from '../../../test/fake-engine';
import { datasetInfo, generated, trainerReply } from '../../../test/store-fixtures';
import type { EngineEvent } from '../../worker/protocol';
import { createAppStore, dataFacts, sampleParams } from './index';

describe('the dataset slice', () => {
  it('generates the set the preset and form ask for; the few-shot form follows it', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    const app = createAppStore(e, fakeAddress('?preset=first-look&seed=3'));
    app.getState().setSampleForm({ perClass: 5 });
    await app.getState().generate();
    expect(e.requests[0]).toEqual({
      type: 'generate',
      params: { perClass: 5, views: 4, seed: 3, points: 128, imageSize: 32 },
    });
    expect(app.getState().dataset.kind).toBe('done');
    expect(app.getState().fewshotForm.episodes).toBeGreaterThan(0);
  });

  it('one generation at a time: the same set joins the one in flight, another waits for it', async () => {
    const e = new FakeEngine();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    e.replies.generate = (req) => held.then(() => generated(req));
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    const first = app.getState().generate();
    const same = app.getState().generate();
    app.getState().setSampleForm({ views: 2 });
    const other = app.getState().generate();
    await settle();
    expect(e.types()).toEqual(['generate']);
    release();
    await Promise.all([first, same, other]);
    expect(e.types()).toEqual(['generate', 'generate']);
    const d = app.getState().dataset;
    expect(d.kind === 'done' && d.value.params.views).toBe(2);
  });

  it('data facts: the set’s sizes only while it is the set Train would use, the same object each time', async () => {
    const e = new FakeEngine();
    e.replies.generate = (req) =>
      ({
        id: 1,
        type: 'dataset',
        info: datasetInfo((req as never as { params: never }).params, [4, 6]),
      }) as EngineEvent;
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    expect(dataFacts(app.getState())).toEqual({});
    await app.getState().generate();
    const facts = dataFacts(app.getState());
    expect(facts).toEqual({ trainObjects: 10 });
    app.getState().setHyper({ lr: '0.01' });
    expect(dataFacts(app.getState())).toBe(facts);
    e.replies['trainer-state'] = () => trainerReply();
    app.getState().setUrl({ preset: 'small' });
    expect(dataFacts(app.getState())).toEqual({});
  });

  it('ensureDataset waits for the generation in flight and reuses a matching set', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    const gen = app.getState().generate();
    expect(await app.getState().ensureDataset()).toBe(true);
    await gen;
    expect(await app.getState().ensureDataset()).toBe(true);
    expect(e.types()).toEqual(['generate']);
    expect(sampleParams(app.getState()).points).toBe(256);
  });

  it('a failed generation is an error outcome, and ensureDataset says no', async () => {
    const e = new FakeEngine();
    e.replies.generate = () => ({ id: 1, type: 'error', kind: 'Error', message: 'out of memory' });
    const app = createAppStore(e, fakeAddress());
    expect(await app.getState().ensureDataset()).toBe(false);
    expect(app.getState().dataset).toEqual({ kind: 'error', message: 'out of memory' });
  });
});
