import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress } from '../../../test/fake-engine';
import { datasetInfo, generated } from '../../../test/store-fixtures';
import type { EngineEvent, FolderLoadParams, FolderSummary } from '../../worker/protocol';
import { createAppStore } from './index';

const SUMMARY: FolderSummary = {
  name: 'mine',
  layout: 'crosspoint',
  layoutName: "CrossPoint's layout",
  classes: [
    { key: '02691156', name: 'airplane', objects: 5 },
    { key: '03001627', name: 'chair', objects: 3 },
  ],
  objects: 8,
  maxViews: 2,
  evalFiles: [],
  problems: [],
};

/** The reply to a folder-load: a set marked as read from a folder. */
const folderLoaded = (req: unknown): EngineEvent => {
  const { classes: _, ...params } = (req as { params: FolderLoadParams }).params;
  const report = { folder: 'mine', layout: 'crosspoint', picked: 8, loaded: 8, skipped: [], warnings: [] };
  return { id: 1, type: 'dataset', info: { ...datasetInfo(params), source: { kind: 'folder', report } } };
};

describe('the folder slice', () => {
  it('indexes the files in the worker; the form starts with every class and the views the folder has', async () => {
    const e = new FakeEngine();
    e.replies['folder-index'] = () => ({ id: 1, type: 'folder', summary: SUMMARY });
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    const files = [{ path: 'ShapeNet/02691156/a.ply', file: new Blob(['x']) }];
    await app.getState().openFolder('mine', files);
    expect(e.requests[0]).toEqual({ type: 'folder-index', name: 'mine', files });
    expect(app.getState().folder).toEqual({ kind: 'done', value: SUMMARY });
    expect(app.getState().folderForm).toEqual({ classes: [], perClass: 0, views: 2 });
  });

  it('loads the chosen subset at the preset’s sizes; Train then uses it instead of generating', async () => {
    const e = new FakeEngine();
    e.replies['folder-index'] = () => ({ id: 1, type: 'folder', summary: SUMMARY });
    e.replies['folder-load'] = folderLoaded;
    e.replies.generate = generated;
    const app = createAppStore(e, fakeAddress('?preset=first-look&seed=3'));
    await app.getState().openFolder('mine', []);
    app.getState().setFolderForm({ classes: ['03001627'], perClass: 2 });
    await app.getState().loadFolder();
    expect(e.requests[1]).toEqual({
      type: 'folder-load',
      params: { classes: ['03001627'], perClass: 2, views: 2, seed: 3, points: 128, imageSize: 32 },
    });
    expect(app.getState().dataset.kind).toBe('done');
    expect(await app.getState().ensureDataset()).toBe(true);
    expect(e.types()).not.toContain('generate');
    // Another preset: the folder is read again at its sizes, not replaced by the sample set.
    app.getState().setUrl({ preset: 'tiny' });
    expect(await app.getState().ensureDataset()).toBe(true);
    expect(e.types().filter((t) => t === 'folder-load').length).toBe(2);
    expect(e.types()).not.toContain('generate');
  });

  it('a folder with nothing usable is an error outcome; the dataset on hand stays', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies['folder-index'] = () => ({
      id: 1,
      type: 'file-error',
      message: 'holiday: folder layout: nothing usable',
    });
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    await app.getState().generate();
    await app.getState().openFolder('holiday', []);
    expect(app.getState().folder).toEqual({
      kind: 'error',
      message: 'holiday: folder layout: nothing usable',
    });
    expect(app.getState().dataset.kind).toBe('done');
  });
});

describe('a failed folder load', () => {
  it('keeps the dataset on hand and says why', async () => {
    const e = new FakeEngine();
    e.replies.generate = generated;
    e.replies['folder-load'] = () => ({
      id: 1,
      type: 'file-error',
      message: 'mine: none of the 3 objects could be read',
    });
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    await app.getState().generate();
    const before = app.getState().dataset;
    await app.getState().loadFolder();
    expect(app.getState().dataset).toBe(before);
    expect(app.getState().folderLoadError).toBe('mine: none of the 3 objects could be read');
  });
});

describe('the evaluation set', () => {
  it('reads the folder’s .h5 files in the worker and keeps the summary', async () => {
    const e = new FakeEngine();
    const summary = {
      name: 'mine',
      kind: 'modelnet40' as const,
      classes: ['airplane'],
      trainCounts: [3],
      testCounts: [1],
      pointsPerCloud: 2048,
      files: ['ply_data_train0.h5', 'ply_data_test0.h5'],
      problems: [],
      notes: [],
    };
    e.replies['eval-load'] = () => ({ id: 1, type: 'eval-set', summary });
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    await app.getState().loadEvalSet();
    expect(e.types()).toEqual(['eval-load']);
    expect(app.getState().evalSet).toEqual({ kind: 'done', value: summary });
  });
});
