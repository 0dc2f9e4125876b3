import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress } from '../../../test/fake-engine';
import { createAppStore } from './index';

describe('the pretraining slice', () => {
  it('asks for the comparison with the form’s seeds and draws and the Few-shot form’s episode shape', async () => {
    const e = new FakeEngine();
    const reply = { step: 7, linear: {} } as never;
    e.replies['compare-init'] = () => ({ id: 1, type: 'compare-init', reply });
    const app = createAppStore(e, fakeAddress());
    app.getState().setFewshotForm({ way: 4, shot: 2, query: 3, seed: 9 });
    app.getState().setPretrainingForm({ seeds: 2, draws: 3 });
    await app.getState().runPretrainingComparison();
    expect(e.requests[0]).toEqual({
      type: 'compare-init',
      params: {
        seeds: 2,
        draws: 3,
        seed: 9,
        fewshot: { way: 4, shot: 2, query: 3, episodes: 10 },
        on: 'split',
      },
    });
    expect(app.getState().pretraining).toEqual({ kind: 'done', value: reply });
    // No episodes: no few-shot part.
    app.getState().setPretrainingForm({ episodes: 0 });
    await app.getState().runPretrainingComparison();
    expect(e.requests[1]).toMatchObject({ params: { fewshot: null } });
  });

  it('compares on the evaluation set once one is loaded, unless the form asks for the split', async () => {
    const e = new FakeEngine();
    e.replies['compare-init'] = () => ({ id: 1, type: 'compare-init', reply: { step: 1 } as never });
    const app = createAppStore(e, fakeAddress());
    // A set being read is not loaded yet: the split.
    app.setState({ evalSet: { kind: 'busy', task: { label: 'Reading', done: 0, total: 0 } } });
    await app.getState().runPretrainingComparison();
    expect(e.requests[0]).toMatchObject({ type: 'compare-init', params: { on: 'split' } });
    app.setState({ evalSet: { kind: 'done', value: { name: 'modelnet40-h5' } as never } });
    await app.getState().runPretrainingComparison();
    expect(e.requests[1]).toMatchObject({ params: { on: 'eval-set' } });
    app.getState().setPretrainingForm({ onEvalSet: false });
    await app.getState().runPretrainingComparison();
    expect(e.requests[2]).toMatchObject({ params: { on: 'split' } });
  });

  it('an engine error becomes the outcome, shown by the panel', async () => {
    const e = new FakeEngine();
    e.replies['compare-init'] = () => ({ id: 1, type: 'error', kind: 'Error', message: 'no model yet' });
    const app = createAppStore(e, fakeAddress());
    await app.getState().runPretrainingComparison();
    expect(app.getState().pretraining).toEqual({ kind: 'error', message: 'no model yet' });
  });
});
