import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress } from '../../../test/fake-engine';
import { generated, metrics, trainerReply, trainerState } from '../../../test/store-fixtures';
import { createAppStore } from './index';

describe('the training slice', () => {
  it('turns metrics events into the latest losses, a curve and a speed', () => {
    const app = createAppStore(new FakeEngine(), fakeAddress());
    app.setState({ trainer: trainerState({ exists: true, running: true }) });
    app.getState().onTrainerEvent({ id: -1, type: 'metrics', metrics: metrics(1, 5) });
    app.getState().onTrainerEvent({ id: -1, type: 'metrics', metrics: metrics(2, 4) });
    const s = app.getState();
    expect(s.latest?.loss).toBe(4);
    expect(s.trainer.step).toBe(2);
    expect(s.history.loss).toEqual([5, 4]);
    expect(s.stepMs).toBe(500);
  });

  it('keeps the last five faults', () => {
    const app = createAppStore(new FakeEngine(), fakeAddress());
    for (let i = 0; i < 7; i++)
      app.getState().onTrainerEvent({ id: -1, type: 'fault', fault: { kind: 'error', message: `f${i}` } });
    expect(app.getState().faults.map((f) => f.message)).toEqual(['f2', 'f3', 'f4', 'f5', 'f6']);
  });

  it('Train generates the sample set first when the preset needs other data', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies.run = () => trainerReply({ exists: true, running: true });
    const app = createAppStore(e, fakeAddress());
    await app.getState().train();
    expect(e.types()).toEqual(['generate', 'run']);
    expect(app.getState().trainer.running).toBe(true);
  });

  it('Train leaves the config check to the form and the engine: a refusal comes back as a fault', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies.run = () => ({
      id: 1,
      type: 'error',
      kind: 'TrainConfigError',
      message: 'batch 1: at least 2',
    });
    const app = createAppStore(e, fakeAddress());
    app.getState().setHyper({ batch: '1' });
    await app.getState().train();
    expect(e.types()).toEqual(['generate', 'run']);
    expect(app.getState().faults).toEqual([{ kind: 'error', message: 'batch 1: at least 2' }]);
    expect(app.getState().trainTask).toBeNull();
  });

  it('Reset clears the curves and the evaluation results', async () => {
    const e = new FakeEngine();
    e.replies.reset = () => trainerReply();
    const app = createAppStore(e, fakeAddress());
    app.setState({
      trainer: trainerState({ exists: true, step: 3 }),
      latest: metrics(3, 2),
      embeddings: { kind: 'not-available', message: 'x' },
    });
    app.getState().onTrainerEvent({ id: -1, type: 'metrics', metrics: metrics(3, 2) });
    await app.getState().reset();
    const s = app.getState();
    expect(s.latest).toBeNull();
    expect(s.history.step).toEqual([]);
    expect(s.embeddings.kind).toBe('idle');
    expect(s.trainer.exists).toBe(false);
    expect(s.trainTask).toBeNull();
  });
});
