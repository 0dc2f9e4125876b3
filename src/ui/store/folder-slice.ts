/** The user's own folder: indexed in the worker, then the chosen subset loaded as the dataset. */
import { PRESETS } from '../../train/presets';
import { TEST_DATA_BUDGET } from '../data-budget';
import { IDLE } from './engine-link';
import type { AppState, FolderForm, FolderSlice, SliceCreator, Task } from './state';

/** Views per object when the folder does not say (meshes: rendered here). */
const DEFAULT_VIEWS = 4;

/** The load request's parameters for the current form, preset and seed. */
export function folderParams(s: Pick<AppState, 'url' | 'folderForm'>) {
  const p = PRESETS[s.url.preset];
  return {
    ...s.folderForm,
    seed: s.url.seed,
    points: p.points,
    imageSize: p.imageSize,
    ...(TEST_DATA_BUDGET !== undefined ? { budgetBytes: TEST_DATA_BUDGET } : {}),
  };
}

export const createFolderSlice: SliceCreator<FolderSlice> = (set, get, { ask }) => ({
  folder: IDLE,
  evalSet: IDLE,
  folderLoadError: null,
  folderForm: { classes: [], perClass: 0, views: DEFAULT_VIEWS },

  async openFolder(name, files) {
    set({ folder: { kind: 'busy', task: { label: `Indexing ${files.length} files`, done: 0, total: 0 } } });
    const r = await ask(
      { type: 'folder-index', name, files },
      (ev) => (ev.type === 'folder' ? ev.summary : undefined),
      (task) => set({ folder: { kind: 'busy', task } }),
    );
    if (r.kind === 'done') {
      const have = r.value.maxViews;
      const form: FolderForm = {
        classes: [],
        perClass: 0,
        views: have > 0 ? Math.min(have, DEFAULT_VIEWS) : DEFAULT_VIEWS,
      };
      set({ folder: r, folderForm: form });
    } else set({ folder: r });
  },

  async loadEvalSet() {
    set({ evalSet: { kind: 'busy', task: { label: 'Reading the evaluation set', done: 0, total: 0 } } });
    const r = await ask(
      { type: 'eval-load' },
      (ev) => (ev.type === 'eval-set' ? ev.summary : undefined),
      (task) => set({ evalSet: { kind: 'busy', task } }),
    );
    set({ evalSet: r });
  },

  setFolderForm(patch) {
    set({ folderForm: { ...get().folderForm, ...patch } });
  },

  async loadFolder() {
    const before = get().dataset;
    const first: Task = { label: 'Reading the folder', done: 0, total: 0 };
    set({ dataset: { kind: 'busy', task: first }, folderLoadError: null });
    const r = await ask(
      { type: 'folder-load', params: folderParams(get()) },
      (ev) => (ev.type === 'dataset' ? ev.info : undefined),
      (task) => set({ dataset: { kind: 'busy', task } }),
    );
    // A failed load replaces nothing (the worker keeps its set): the panel says why, beside the set.
    if (r.kind === 'done') get().acceptDataset(r);
    else
      set({
        dataset: before,
        folderLoadError: r.kind === 'error' || r.kind === 'not-available' ? r.message : null,
      });
  },
});
