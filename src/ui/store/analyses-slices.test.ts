import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress } from '../../../test/fake-engine';
import { file } from '../../../test/store-fixtures';
import type { EngineEvent } from '../../worker/protocol';
import { createAppStore } from './index';

const classified = (name: string): EngineEvent => ({
  id: 1,
  type: 'classified',
  reply: {
    file: name,
    format: 'ply-ascii',
    notes: [],
    warnings: [],
    points: new Float32Array(3),
    prediction: null,
  },
});

describe('the classify slice', () => {
  it('a file that cannot be read raises the alert and keeps the previous result', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    e.replies.classify = () => classified('good.ply');
    await app.getState().classifyFile(file('good.ply'));
    expect(app.getState().classify).toMatchObject({ kind: 'done', value: { file: 'good.ply' } });
    e.replies.classify = () => ({ id: 1, type: 'file-error', message: 'bad.ply: line 3: the file ends' });
    await app.getState().classifyFile(file('bad.ply'));
    expect(app.getState().fileError).toBe('bad.ply: line 3: the file ends');
    expect(app.getState().classify).toMatchObject({ kind: 'done', value: { file: 'good.ply' } });
    e.replies.classify = () => classified('next.ply');
    app.getState().setUpAxis('z');
    await app.getState().classifyFile(file('next.ply'));
    expect(app.getState().fileError).toBeNull();
    expect(e.requests.at(-1)).toMatchObject({ type: 'classify', upAxis: 'z' });
  });

  it('asks for the evaluation-set reference only when one is chosen and loaded', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    e.replies.classify = () => classified('a.ply');
    app.getState().setOodReference({ source: 'eval-set', split: 'test', classes: ['sofa'] });
    // No evaluation set loaded: the training set is the reference.
    await app.getState().classifyFile(file('a.ply'));
    expect(e.requests.at(-1)).not.toHaveProperty('reference');
    app.setState({ evalSet: { kind: 'done', value: {} as never } });
    await app.getState().classifyFile(file('a.ply'));
    expect(e.requests.at(-1)).toMatchObject({ reference: { split: 'test', classes: ['sofa'] } });
    app.getState().setOodReference({ source: 'set' });
    await app.getState().classifyFile(file('a.ply'));
    expect(e.requests.at(-1)).not.toHaveProperty('reference');
  });
});

describe('the few-shot slice', () => {
  it('a missing engine piece is reported as not available, never as a result', async () => {
    const e = new FakeEngine();
    e.replies.fewshot = () => ({
      id: 1,
      type: 'not-available',
      piece: 'trainer',
      message: 'not in this build',
    });
    const app = createAppStore(e, fakeAddress());
    app.getState().setFewshotForm({ way: 3 });
    await app.getState().runFewshot();
    expect(app.getState().fewshot).toEqual({ kind: 'not-available', message: 'not in this build' });
    expect(e.requests[0]).toMatchObject({ type: 'fewshot', params: { way: 3 } });
  });
});

describe('the embeddings slice', () => {
  it('a failed refresh keeps the previous picture', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    const prev = { kind: 'done', value: { step: 1 } } as never;
    app.setState({ embeddings: prev });
    app.getState().setProjection('umap');
    e.replies.embed = () => ({ id: 1, type: 'error', kind: 'Error', message: 'device busy' });
    await app.getState().refreshEmbeddings();
    expect(app.getState().embeddings).toBe(prev);
    expect(e.requests[0]).toEqual({ type: 'embed', projection: 'umap', limit: 96 });
  });

  it("an automatic refresh asks to be paced; each step's metrics say whether the budget allows one", async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    expect(app.getState().refreshBudget).toBeNull();
    const metrics = (ready: boolean): EngineEvent => ({
      id: -1,
      type: 'metrics',
      metrics: { step: 3 } as never,
      refresh: { ready, trainingMs: 9200, refreshMs: 800, share: 0.08 },
    });
    app.getState().onTrainerEvent(metrics(false));
    expect(app.getState().refreshBudget).toEqual({
      ready: false,
      trainingMs: 9200,
      refreshMs: 800,
      share: 0.08,
    });
    app.getState().onTrainerEvent(metrics(true));
    expect(app.getState().refreshBudget?.ready).toBe(true);
    e.replies.embed = () => ({ id: 1, type: 'error', kind: 'Error', message: 'no run' });
    await app.getState().refreshEmbeddings('paced');
    expect(e.requests.at(-1)).toEqual({ type: 'embed', projection: 'pca', limit: 96, paced: true });
    await app.getState().refreshEmbeddings('fresh');
    expect(e.requests.at(-1)).toEqual({ type: 'embed', projection: 'pca', limit: 96, fresh: true });
  });
});
