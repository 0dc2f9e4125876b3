/** The sample set: the form, one generation at a time, and the shape on show. */
import { PRESETS } from '../../train/presets';
import type { DataFacts } from '../../train/train-config';
import type { DatasetIdentity } from '../../train/trainer-api';
import type { DatasetInfo } from '../../worker/protocol';
import { fewShotDefaults } from '../fewshot-defaults';
import { IDLE } from './engine-link';
import type { AppState, DatasetSlice, SliceCreator, Task } from './state';

const NO_FACTS: DataFacts = {};

/** The sample-set parameters the current preset and form ask for. */
export function sampleParams(s: Pick<AppState, 'url' | 'sampleForm'>) {
  const p = PRESETS[s.url.preset];
  return { ...s.sampleForm, seed: s.url.seed, points: p.points, imageSize: p.imageSize };
}

/**
 * Whether the set on hand is the one the current preset and form ask for. A folder's set is
 * current at the preset's points and view size (its subset is the user's, not the form's).
 */
function isCurrentSet(s: Pick<AppState, 'url' | 'sampleForm'>, d: DatasetInfo): boolean {
  const want = sampleParams(s);
  if (d.source?.kind === 'folder')
    return d.params.points === want.points && d.params.imageSize === want.imageSize;
  return JSON.stringify(d.params) === JSON.stringify(want);
}

/**
 * The sizes of the sample set on screen, for the training config's check, when it is the set
 * Train would use (another preset's set is regenerated first, so it says nothing). The same
 * object while the set is the same, so a React selector does not re-render on every change.
 */
export function dataFacts(s: Pick<AppState, 'url' | 'sampleForm' | 'dataset' | 'datasetFacts'>): DataFacts {
  return s.dataset.kind === 'done' && isCurrentSet(s, s.dataset.value) ? s.datasetFacts : NO_FACTS;
}

/**
 * The identity of the data Train uses, recorded in the run's config (and so in its checkpoints
 * and autosaves): the generated sample set with its parameters. A user's own data set fills
 * `source` with where its files came from and leaves `sample` out.
 */
export function datasetIdentity(s: Pick<AppState, 'url' | 'sampleForm' | 'dataset'>): DatasetIdentity {
  const d = s.dataset;
  const current = d.kind === 'done' && isCurrentSet(s, d.value) ? d.value : null;
  if (current?.source?.kind === 'folder')
    return { name: current.summary.name, source: 'folder', counts: current.summary.trainCounts };
  return {
    name: current?.summary.name ?? 'sample set',
    source: 'sample',
    counts: current?.summary.trainCounts ?? [],
    sample: sampleParams(s),
  };
}

export const createDatasetSlice: SliceCreator<DatasetSlice> = (set, get, { ask, initial }) => {
  /** The generation in flight and its parameters, so requests that need the set wait for it. */
  let generating: Promise<void> | undefined;
  let generatingKey = '';

  return {
    sampleForm: initial.sample,
    dataset: IDLE,
    datasetFacts: NO_FACTS,
    selected: 0,
    object: IDLE,

    setSampleForm(patch) {
      set({ sampleForm: { ...get().sampleForm, ...patch } });
      get().writeAddress();
    },

    async generate() {
      // One generation at a time. The same set asked for again (React's development mode runs
      // start() twice) joins the one in flight; another set waits for it, then asks.
      const params = sampleParams(get());
      const key = JSON.stringify(params);
      if (generating && generatingKey === key) return generating;
      while (generating) await generating;
      generatingKey = key;
      const first: Task = { label: 'Generating the sample set', done: 0, total: 0 };
      set({ dataset: { kind: 'busy', task: first } });
      const run = async () => {
        const r = await ask(
          { type: 'generate', params },
          (ev) => (ev.type === 'dataset' ? ev.info : undefined),
          (task) => set({ dataset: { kind: 'busy', task } }),
        );
        get().acceptDataset(r);
      };
      generating = run().finally(() => {
        generating = undefined;
      });
      await generating;
    },

    acceptDataset(r) {
      // The few-shot form follows the set: defaults bounded by its objects per class.
      const fewshotForm =
        r.kind === 'done' ? fewShotDefaults(r.value.summary, get().fewshotForm.seed) : get().fewshotForm;
      const datasetFacts =
        r.kind === 'done'
          ? { trainObjects: r.value.summary.trainCounts.reduce((a, b) => a + b, 0) }
          : NO_FACTS;
      set({ dataset: r, datasetFacts, embeddings: IDLE, fewshot: IDLE, fewshotForm });
      if (r.kind === 'done' && r.value.objects.length > 0) {
        void get().select(Math.min(get().selected, r.value.objects.length - 1));
      }
    },

    async ensureDataset() {
      if (generating || get().dataset.kind === 'busy') {
        const label = generating ? 'Waiting for the sample set' : 'Waiting for the folder';
        set({ trainTask: { label, done: 0, total: 0 } });
        while (generating) await generating;
        // A folder load in flight: its reply settles `dataset`.
        while (get().dataset.kind === 'busy') await new Promise((r) => setTimeout(r, 50));
        set({ trainTask: null });
      }
      const d = get().dataset;
      if (d.kind === 'done' && isCurrentSet(get(), d.value)) return true;
      // A folder's set at another preset's sizes is read again at this one's, not replaced.
      if (d.kind === 'done' && d.value.source?.kind === 'folder') await get().loadFolder();
      else await get().generate();
      return get().dataset.kind === 'done';
    },

    async select(index) {
      set({
        selected: index,
        object: { kind: 'busy', task: { label: 'Loading the shape', done: 0, total: 0 } },
      });
      const r = await ask(
        { type: 'object', index },
        (ev) => (ev.type === 'object' ? ev.detail : undefined),
        () => {},
      );
      if (get().selected === index) set({ object: r });
    },
  };
};
