/** The user's own folder: indexed in the worker, then the chosen subset loaded as the dataset. */
import { PRESETS } from '../../train/presets';
import { IDLE } from './engine-link';
import type { AppState, FolderForm, FolderSlice, SliceCreator, Task } from './state';

/** Views per object when the folder does not say (meshes: rendered here). */
const DEFAULT_VIEWS = 4;

/** The load request's parameters for the current form, preset and seed. */
export function folderParams(s: Pick<AppState, 'url' | 'folderForm'>) {
  const p = PRESETS[s.url.preset];
  return { ...s.folderForm, seed: s.url.seed, points: p.points, imageSize: p.imageSize };
}

export const createFolderSlice: SliceCreator<FolderSlice> = (set, get, { ask }) => ({
  folder: IDLE,
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

  setFolderForm(patch) {
    set({ folderForm: { ...get().folderForm, ...patch } });
  },

  async loadFolder() {
    const first: Task = { label: 'Reading the folder', done: 0, total: 0 };
    set({ dataset: { kind: 'busy', task: first } });
    const r = await ask(
      { type: 'folder-load', params: folderParams(get()) },
      (ev) => (ev.type === 'dataset' ? ev.info : undefined),
      (task) => set({ dataset: { kind: 'busy', task } }),
    );
    get().acceptDataset(r);
  },
});
