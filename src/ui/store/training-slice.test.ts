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

  it('a new run over an earlier run’s autosave asks first; No keeps the autosave and starts nothing', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies.run = () => trainerReply({ exists: true, running: true, totalSteps: 90 });
    const questions: string[] = [];
    let answer = false;
    const app = createAppStore(e, fakeAddress(), (q) => {
      questions.push(q);
      return answer;
    });
    app.setState({ trainer: trainerState({ autosave: { step: 40, savedAt: 1, bytes: 9, config: null } }) });
    await app.getState().train();
    expect(e.requests).toEqual([]);
    expect(questions[0]).toMatch(
      /^An autosave of step 40 \(an earlier run of this preset and seed\) is kept/,
    );
    answer = true;
    await app.getState().train();
    expect(e.types()).toEqual(['generate', 'run']);
    // The run's config names its data set, so checkpoints and autosaves carry it.
    expect(e.requests[1]).toMatchObject({
      config: { data: { source: 'sample', counts: [78], sample: { perClass: 8, views: 4 } } },
    });
  });

  it('a finished run does not train or step; train more extends its epochs and the form follows', async () => {
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress('?preset=first-look&epochs=20'));
    const done = trainerState({ exists: true, step: 180, totalSteps: 180, savedStep: 180 });
    app.setState({ trainer: { ...done, config: { preset: 'first-look', seed: 1, epochs: 20 } } });
    await app.getState().train();
    await app.getState().step();
    expect(e.requests).toEqual([]);
    e.replies.continue = () => trainerReply({ exists: true, running: true, step: 180, totalSteps: 270 });
    await app.getState().trainMore(10);
    expect(e.requests).toEqual([{ type: 'continue', epochs: 30 }]);
    expect(app.getState().trainer.running).toBe(true);
    expect(app.getState().hyper.epochs).toBe('30');
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
