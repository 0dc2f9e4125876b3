/**
 * The worker session's ordering of dataset generation against trainer requests, with stand-in
 * pieces (no GPU): a restore sent while the sample set is generated waits for it, and no set a
 * trainer or a reader uses is ever destroyed.
 */
import h5wasm from 'h5wasm';
import { describe, expect, it, vi } from 'vitest';
import type { GpuContext } from '../gpu/context';
import type { TrainConfig } from '../train/trainer-api';
import type { HostDataset } from './host-dataset';
import type { EngineEvent, SampleSetParams } from './protocol';

/** Stand-ins for the GPU pieces: the sets the next generations return, and the runs built. */
const fake = vi.hoisted(() => ({
  sets: [] as (() => Promise<unknown>)[],
  next: 0,
  runs: [] as { ds: { name: string; disposed: boolean }; loaded: number }[],
  compared: [] as { params: unknown; evalSet: unknown }[],
}));

vi.mock('./host-dataset', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./host-dataset')>()),
  generateHostDataset: async () => fake.sets[fake.next++]!(),
}));

vi.mock('./training-host', () => ({
  storedCheckpoints: { of: () => 'autosave', save: async () => {} },
  startRun: async (_ctx: unknown, config: TrainConfig, ds: FakeSet) => {
    const run = {
      ds,
      loaded: 0,
      config,
      session: {
        history: { step: [], imid: [], cmid: [], loss: [], stride: 1 },
        isRunning: false,
        step: 0,
        run() {},
        pause: async () => {},
        stepOnce: async () => {},
        dispose() {},
      },
      analyses: {
        invalidate() {},
        // Records what the comparison was asked on (the analysis itself is src/eval's).
        compareInit: async (params: unknown, _progress: unknown, evalSet: unknown) => {
          fake.compared.push({ params, evalSet });
          return { step: 0 };
        },
      },
    };
    fake.runs.push(run);
    return run;
  },
  loadCheckpoint: async (run: { ds: FakeSet; loaded: number }) => {
    if (run.ds.disposed) throw new Error(`the run on ${run.ds.name} used a destroyed set`);
    run.loaded++;
  },
  trainerState: async (session: unknown, config: TrainConfig | null) => ({
    exists: !!session,
    running: false,
    step: 0,
    config: session ? config : null,
    autosave: null,
  }),
}));

const { Session } = await import('./session');

const PARAMS: SampleSetParams = { perClass: 2, views: 1, seed: 1, points: 16, imageSize: 8 };
const CONFIG: TrainConfig = { preset: 'tiny', seed: 1 };

/** A promise and its resolver, to hold a stand-in piece mid-way. */
function gate<T = void>() {
  let open!: (v: T) => void;
  const p = new Promise<T>((r) => {
    open = r;
  });
  return { p, open };
}

interface FakeSet extends HostDataset {
  name: string;
  disposed: boolean;
}

function fakeSet(name: string, views: () => Promise<void> = async () => {}): FakeSet {
  const ds: FakeSet = {
    name,
    disposed: false,
    info: {
      summary: {
        name,
        classes: ['a'],
        trainCounts: [1],
        testCounts: [1],
        points: 16,
        views: 1,
        imageSize: 8,
      },
      params: PARAMS,
      objects: [
        { id: 'a0', label: 0, split: 'train' },
        { id: 'a1', label: 0, split: 'test' },
      ],
      thumbs: [],
    },
    points: () => new Float32Array(48),
    views: async () => {
      await views();
      if (ds.disposed) throw new Error(`[Buffer "sample.views"] of ${name} used while destroyed`);
      return [{ size: 8, rgba: new Uint8Array(256) }];
    },
    data: null as unknown as HostDataset['data'],
    dispose: () => {
      ds.disposed = true;
    },
  };
  return ds;
}

function harness(sets: (() => Promise<FakeSet>)[]) {
  const events: EngineEvent[] = [];
  const ctx = { device: { queue: { onSubmittedWorkDone: async () => {} } } } as unknown as GpuContext;
  const session = new Session(ctx, (ev) => events.push(ev));
  fake.sets = sets;
  fake.next = 0;
  fake.runs.length = 0;
  const reply = (id: number) => events.find((e) => e.id === id && e.type !== 'progress');
  return { session, events, trainers: fake.runs, reply };
}

describe('worker session: dataset lifetime against trainer requests', () => {
  it('a checkpoint restore sent while the sample set is generated waits for it', async () => {
    const slow = gate();
    const A = fakeSet('A');
    const h = harness([
      async () => {
        await slow.p;
        return A;
      },
    ]);
    const gen = h.session.handle({ id: 1, type: 'generate', params: PARAMS });
    const restore = h.session.handle({
      id: 2,
      type: 'checkpoint-load',
      bytes: new Uint8Array(4),
      name: 'the autosave',
      config: CONFIG,
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(h.reply(2)).toBeUndefined(); // still waiting, not "No dataset yet"
    slow.open();
    await Promise.all([gen, restore]);
    expect(h.reply(2)).toMatchObject({ type: 'trainer', state: { exists: true } });
    expect(h.trainers).toHaveLength(1);
    expect(h.trainers[0]!.ds).toBe(A);
    expect(h.trainers[0]!.loaded).toBe(1);
  });

  it('two generations in flight run in turn; the trainer gets the last set and the first is freed', async () => {
    const first = gate();
    const A = fakeSet('A');
    const B = fakeSet('B');
    const h = harness([
      async () => {
        await first.p;
        return A;
      },
      async () => B,
    ]);
    const g1 = h.session.handle({ id: 1, type: 'generate', params: PARAMS });
    const g2 = h.session.handle({ id: 2, type: 'generate', params: PARAMS });
    const run = h.session.handle({ id: 3, type: 'run', config: CONFIG });
    first.open();
    await Promise.all([g1, g2, run]);
    await new Promise((r) => setTimeout(r, 5));
    expect(h.reply(1)?.type).toBe('dataset');
    expect(h.reply(2)?.type).toBe('dataset');
    expect(h.reply(3)?.type).toBe('trainer');
    expect(h.trainers.map((t) => t.ds.name)).toEqual(['B']);
    expect(B.disposed).toBe(false);
    expect(A.disposed).toBe(true);
  });

  it('a generation asked for once a trainer exists is refused and frees nothing the trainer reads', async () => {
    const A = fakeSet('A');
    const C = fakeSet('C');
    const h = harness([async () => A, async () => C]);
    await h.session.handle({ id: 1, type: 'generate', params: PARAMS });
    await h.session.handle({ id: 2, type: 'step', config: CONFIG });
    await h.session.handle({ id: 3, type: 'generate', params: PARAMS });
    expect(h.reply(3)).toMatchObject({ type: 'error', message: expect.stringMatching(/Reset training/) });
    expect(A.disposed).toBe(false);
    await h.session.handle({
      id: 4,
      type: 'checkpoint-load',
      bytes: new Uint8Array(4),
      name: 'x',
      config: CONFIG,
    });
    expect(h.reply(4)?.type).toBe('trainer');
  });

  it('a replaced set is destroyed only after a view readback of it has finished', async () => {
    const reading = gate();
    const A = fakeSet('A', () => reading.p);
    const B = fakeSet('B');
    const h = harness([async () => A, async () => B]);
    await h.session.handle({ id: 1, type: 'generate', params: PARAMS });
    const look = h.session.handle({ id: 2, type: 'object', index: 0 });
    await new Promise((r) => setTimeout(r, 5));
    await h.session.handle({ id: 3, type: 'generate', params: PARAMS });
    expect(A.disposed).toBe(false); // the readback of A is still running
    reading.open();
    await look;
    await new Promise((r) => setTimeout(r, 5));
    expect(h.reply(2)?.type).toBe('object');
    expect(A.disposed).toBe(true);
  });
});

describe('worker session: a folder the user chose', () => {
  const blob = (text: string) => new Blob([text]);

  it('indexes its files by layout, and a folder with nothing usable is a file error; nothing else changes', async () => {
    const h = harness([]);
    await h.session.handle({
      id: 1,
      type: 'folder-index',
      name: 'mine',
      files: [
        { path: 'ShapeNet/02691156/a.ply', file: blob('ply') },
        { path: 'ShapeNetRendering/02691156/a/rendering/00.png', file: blob('png') },
        { path: 'ply_data_test0.h5', file: blob('h5') },
      ],
    });
    const r1 = h.reply(1);
    expect(r1?.type).toBe('folder');
    if (r1?.type !== 'folder') return;
    expect(r1.summary).toMatchObject({ name: 'mine', layout: 'crosspoint', objects: 1, maxViews: 1 });
    expect(r1.summary.evalFiles).toEqual([{ path: 'ply_data_test0.h5', kind: 'modelnet40', split: 'test' }]);

    await h.session.handle({
      id: 2,
      type: 'folder-index',
      name: 'holiday',
      files: [{ path: 'a.jpg', file: blob('x') }],
    });
    const r2 = h.reply(2);
    expect(r2?.type).toBe('file-error');
    if (r2?.type === 'file-error')
      expect(r2.message).toMatch(/^holiday: folder layout: nothing usable in 1 files/);
  });

  it('loading before a folder was chosen says what to do', async () => {
    const h = harness([]);
    await h.session.handle({ id: 1, type: 'folder-load', params: { ...PARAMS, classes: [] } });
    expect(h.reply(1)).toMatchObject({
      type: 'file-error',
      message: 'No folder chosen: choose or drop a folder in the Data panel first.',
    });
  });
});

describe('worker session: the evaluation set the user brought', () => {
  /** An in-memory ModelNet40-layout file: n clouds of 8 points, labels 0, 1, 0, 1 … */
  async function h5(name: string, n: number) {
    const { FS } = await h5wasm.ready;
    const f = new h5wasm.File(`/${name}`, 'w');
    f.create_dataset({
      name: 'data',
      data: new Float32Array(n * 8 * 3).map((_, i) => Math.cos(i)),
      shape: [n, 8, 3],
    });
    f.create_dataset({ name: 'label', data: Uint8Array.from({ length: n }, (_, i) => i % 2), shape: [n, 1] });
    f.close();
    const bytes = Uint8Array.from(FS.readFile(`/${name}`) as Uint8Array);
    FS.unlink(`/${name}`);
    return { path: name, file: new Blob([bytes]) };
  }

  it('a comparison on the evaluation set gets the loaded set; before one is loaded it gets none', async () => {
    const h = harness([async () => fakeSet('A')]);
    fake.compared.length = 0;
    await h.session.handle({ id: 1, type: 'generate', params: PARAMS });
    await h.session.handle({ id: 2, type: 'step', config: CONFIG });
    const params = { seeds: 1, draws: 1, fewshot: null, seed: 0, on: 'eval-set' as const };
    await h.session.handle({ id: 3, type: 'compare-init', params });
    expect(fake.compared[0]).toEqual({ params, evalSet: undefined });
    await h.session.handle({
      id: 4,
      type: 'folder-index',
      name: 'modelnet40-h5',
      files: [await h5('ply_data_train0.h5', 6), await h5('ply_data_test0.h5', 4)],
    });
    await h.session.handle({ id: 5, type: 'eval-load' });
    expect(h.reply(5)).toMatchObject({
      type: 'eval-set',
      summary: { name: 'modelnet40-h5', trainCounts: [3, 3], testCounts: [2, 2] },
    });
    await h.session.handle({ id: 6, type: 'compare-init', params });
    expect(h.reply(6)).toMatchObject({ type: 'compare-init', reply: { step: 0 } });
    expect(fake.compared[1]!.evalSet).toBe(h.session.evalSet);
    expect(h.session.evalSet).toMatchObject({ name: 'modelnet40-h5', train: { n: 6 }, test: { n: 4 } });
  });
});
