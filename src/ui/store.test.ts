import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StepMetrics } from '../train/trainer-api';
import type { EngineEvent } from '../worker/protocol';

// The store talks to the engine worker through EngineClient; here a fake answers instead, so the
// store's own logic (what it keeps, what it drops, what it shows) is tested without a browser.
const replies: Record<string, (req: { type: string }) => EngineEvent> = {};
let listener: ((ev: EngineEvent) => void) | undefined;
const requests: { type: string }[] = [];

vi.mock('../worker/client', () => ({
  EngineClient: class {
    request(req: { type: string }) {
      requests.push(req);
      const r = replies[req.type];
      return Promise.resolve(
        r ? r(req) : { id: 1, type: 'error', kind: 'Error', message: `no fake for ${req.type}` },
      );
    }
    onEvent(fn: (ev: EngineEvent) => void) {
      listener = fn;
      return () => {};
    }
  },
}));

const { useApp, engineClient, sampleParams } = await import('./store');
const { formatClock } = await import('./format');
const { defaultPresetFor } = await import('../train/presets');

const metrics = (step: number, loss: number): StepMetrics => ({
  step,
  epoch: 0,
  lImid: loss / 2,
  lCmid: loss / 2,
  loss,
  lr: 1e-3,
  stepMs: 500,
  samplesPerSec: 16,
  gpuBytes: 1 << 20,
  etaSec: 100,
});

const file = (name: string) => ({ name, arrayBuffer: async () => new ArrayBuffer(8) }) as unknown as File;

describe('the app store', () => {
  beforeEach(() => {
    requests.length = 0;
    engineClient().onEvent((ev) => listener?.(ev));
  });

  it('turns metrics events into the latest losses, a curve and a speed', () => {
    // Registering the store's event handler happens in start(); call its handler directly.
    useApp.setState({ trainer: { exists: true, running: true, step: 0, config: null, autosave: null } });
    const onEvent = captureStoreHandler();
    onEvent({ id: -1, type: 'metrics', metrics: metrics(1, 5) });
    onEvent({ id: -1, type: 'metrics', metrics: metrics(2, 4) });
    const s = useApp.getState();
    expect(s.latest?.loss).toBe(4);
    expect(s.trainer.step).toBe(2);
    expect(s.history.loss).toEqual([5, 4]);
    expect(s.stepMs).toBe(500);
  });

  it('a file that cannot be read raises the alert and keeps the previous result', async () => {
    replies.classify = () => ({
      id: 1,
      type: 'classified',
      reply: {
        file: 'good.ply',
        format: 'ply-ascii',
        notes: [],
        warnings: [],
        points: new Float32Array(3),
        prediction: null,
      },
    });
    await useApp.getState().classifyFile(file('good.ply'));
    expect(useApp.getState().classify).toMatchObject({ kind: 'done', value: { file: 'good.ply' } });
    replies.classify = () => ({ id: 1, type: 'file-error', message: 'bad.ply: line 3: the file ends' });
    await useApp.getState().classifyFile(file('bad.ply'));
    const s = useApp.getState();
    expect(s.fileError).toBe('bad.ply: line 3: the file ends');
    expect(s.classify).toMatchObject({ kind: 'done', value: { file: 'good.ply' } });
    // A good file afterwards clears the alert.
    replies.classify = () => ({
      id: 1,
      type: 'classified',
      reply: {
        file: 'next.ply',
        format: 'off',
        notes: [],
        warnings: [],
        points: new Float32Array(3),
        prediction: null,
      },
    });
    await useApp.getState().classifyFile(file('next.ply'));
    expect(useApp.getState().fileError).toBeNull();
  });

  it('a missing engine piece is reported as not available, never as a result', async () => {
    replies.fewshot = () => ({
      id: 1,
      type: 'not-available',
      piece: 'trainer',
      message: 'not in this build',
    });
    await useApp.getState().runFewshot();
    expect(useApp.getState().fewshot).toEqual({ kind: 'not-available', message: 'not in this build' });
  });

  it('Export ONNX asks the engine worker for the file (nothing is built on the page)', async () => {
    const bytes = Uint8Array.of(8, 1, 2);
    replies['export-onnx'] = () => ({ id: 1, type: 'onnx', step: 7, points: 256, bytes });
    const r = await useApp.getState().exportOnnx();
    expect(requests.at(-1)).toEqual({ type: 'export-onnx', batch: 1 });
    expect(r).toEqual({ kind: 'done', value: { id: 1, type: 'onnx', step: 7, points: 256, bytes } });
    expect(useApp.getState().trainTask).toBeNull();
    replies['export-onnx'] = () => ({ id: 1, type: 'error', kind: 'Error', message: 'No model yet' });
    expect(await useApp.getState().exportOnnx()).toEqual({ kind: 'error', message: 'No model yet' });
  });

  it('Reset clears the curves and the evaluation results', async () => {
    useApp.setState({ latest: metrics(3, 2), embeddings: { kind: 'idle' } });
    replies.reset = () => ({
      id: 1,
      type: 'trainer',
      state: { exists: false, running: false, step: 0, config: null, autosave: null },
    });
    await useApp.getState().reset();
    const s = useApp.getState();
    expect(s.latest).toBeNull();
    expect(s.history.step).toEqual([]);
    expect(s.trainer.exists).toBe(false);
    expect(s.trainTask).toBeNull();
  });

  it('Train generates the sample set first when the preset needs other data', async () => {
    useApp.setState({
      dataset: { kind: 'idle' },
      trainer: { exists: false, running: false, step: 0, config: null, autosave: null },
    });
    replies.generate = (req) => ({
      id: 1,
      type: 'dataset',
      info: {
        summary: {
          name: 's',
          classes: ['a'],
          trainCounts: [1],
          testCounts: [1],
          points: 256,
          views: 1,
          imageSize: 32,
        },
        params: (req as unknown as { params: never }).params,
        objects: [],
        thumbs: [],
        seconds: 0,
      },
    });
    replies.run = () => ({
      id: 1,
      type: 'trainer',
      state: { exists: true, running: true, step: 0, config: null, autosave: null },
    });
    await useApp.getState().train();
    expect(requests.map((r) => r.type)).toEqual(['generate', 'run']);
    expect(useApp.getState().trainer.running).toBe(true);
  });

  it('Restore autosave sent while the sample set is generated waits for it, then clears stale errors', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    useApp.setState({
      dataset: { kind: 'idle' },
      trainTask: null,
      faults: [
        { kind: 'error', message: 'No dataset yet: generate the sample set in the Data panel first.' },
      ],
      trainer: { exists: false, running: false, step: 0, config: null, autosave: null },
    });
    replies.generate = ((req: { params: never }) =>
      held.then(() => ({
        id: 1,
        type: 'dataset',
        info: {
          summary: {
            name: 's',
            classes: ['a'],
            trainCounts: [1],
            testCounts: [1],
            points: 256,
            views: 1,
            imageSize: 32,
          },
          params: req.params,
          objects: [],
          thumbs: [],
          seconds: 0,
        },
      }))) as unknown as (req: { type: string }) => EngineEvent;
    replies['checkpoint-restore'] = () => ({
      id: 1,
      type: 'trainer',
      state: { exists: true, running: false, step: 6, config: null, autosave: null },
    });
    const gen = useApp.getState().generate();
    const again = useApp.getState().generate(); // the same set again joins the first
    const restore = useApp.getState().restoreAutosave();
    await new Promise((r) => setTimeout(r, 5));
    expect(requests.map((r) => r.type)).toEqual(['generate']);
    expect(useApp.getState().trainTask?.label).toMatch(/Waiting for the sample set/);
    release();
    await Promise.all([gen, again, restore]);
    expect(requests.map((r) => r.type)).toEqual(['generate', 'checkpoint-restore']);
    const s = useApp.getState();
    expect(s.trainer.step).toBe(6);
    expect(s.faults).toEqual([]);
    expect(s.checkpointMessage).toMatch(/step 6/);
  });

  it('on a CPU fallback adapter a first visit uses first-look, says so, and offers to resume an autosave', async () => {
    const adapter = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: 'SwiftShader driver',
      isFallbackAdapter: false,
      features: [],
      limits: {},
    };
    replies.init = () =>
      ({
        id: 1,
        type: 'ready',
        adapter,
        hasTimestamps: false,
        capabilities: { dataset: false, files: true, trainer: true },
      }) as unknown as EngineEvent;
    replies.selftest = () => ({ id: 1, type: 'error', kind: 'Error', message: 'skipped' });
    replies['trainer-state'] = () => ({
      id: 1,
      type: 'trainer',
      state: {
        exists: false,
        running: false,
        step: 0,
        config: null,
        autosave: { step: 12, savedAt: new Date(2026, 11, 5, 9, 7, 3).getTime(), bytes: 100 },
      },
    });
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true });
    useApp.setState({ url: { preset: 'tiny', seed: 1, panel: 'data' }, resumeOffer: null, presetNote: null });
    await useApp.getState().start();
    await new Promise((r) => setTimeout(r, 5));
    const s = useApp.getState();
    expect(s.url.preset).toBe('first-look');
    expect(s.presetNote).toMatch(
      /^CPU fallback adapter detected: using the first-look preset; the tiny preset is/,
    );
    expect(s.resumeOffer).toEqual({ step: 12, savedAt: new Date(2026, 11, 5, 9, 7, 3).getTime() });
    expect(formatClock(s.resumeOffer!.savedAt)).toBe('09:07:03');
    expect(formatClock(s.resumeOffer!.savedAt, false)).toBe('09:07');
    expect(defaultPresetFor({ ...adapter, architecture: '', description: 'NVIDIA', vendor: 'nvidia' })).toBe(
      'tiny',
    );
    expect(defaultPresetFor({ ...adapter, architecture: '', description: '', isFallbackAdapter: true })).toBe(
      'first-look',
    );
  });

  it('Resume restores the autosave with its curves, then trains on from it', async () => {
    const params = sampleParams(useApp.getState());
    useApp.setState({
      resumeOffer: { step: 3, savedAt: 0 },
      trainTask: null,
      dataset: {
        kind: 'done',
        value: {
          summary: {
            name: 's',
            classes: ['a'],
            trainCounts: [78],
            testCounts: [1],
            points: params.points,
            views: 1,
            imageSize: params.imageSize,
          },
          params,
          objects: [],
          thumbs: [],
          seconds: 0,
        },
      },
      trainer: { exists: false, running: false, step: 0, config: null, autosave: null },
    });
    replies['checkpoint-restore'] = () => ({
      id: 1,
      type: 'trainer',
      state: { exists: true, running: false, step: 3, config: null, autosave: null },
      history: { step: [1, 2, 3], imid: [3, 2, 1], cmid: [4, 3, 2], loss: [7, 5, 3], stride: 1 },
    });
    replies.run = () => ({
      id: 1,
      type: 'trainer',
      state: { exists: true, running: true, step: 3, config: null, autosave: null },
    });
    await useApp.getState().resume();
    expect(requests.map((r) => r.type)).toEqual(['checkpoint-restore', 'run']);
    const s = useApp.getState();
    expect(s.resumeOffer).toBeNull();
    expect(s.history.step).toEqual([1, 2, 3]);
    expect(s.history.loss).toEqual([7, 5, 3]);
    expect(s.trainer.running).toBe(true);
    expect(s.checkpointMessage).toBe('Resumed training from the autosave of step 3.');
    // The next step's metrics continue the restored curve.
    const onEvent = captureStoreHandler();
    onEvent({ id: -1, type: 'metrics', metrics: metrics(4, 2) });
    expect(useApp.getState().history.step).toEqual([1, 2, 3, 4]);
  });
});

/** The store's handler of unsolicited events, registered when the store starts. */
function captureStoreHandler(): (ev: EngineEvent) => void {
  const saved = listener;
  listener = undefined;
  replies.init = () => ({ id: 1, type: 'error', kind: 'Error', message: 'no GPU in unit tests' });
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true });
  void useApp.getState().start();
  const h = listener!;
  listener = saved;
  return h;
}
