/**
 * Checkpoints: save and download, load a file, the autosave's restore, resume and discard, ONNX
 * export. A load or restore brings the run back with its own settings (the checkpoint's), and
 * anything that would discard unsaved steps asks first.
 */
import { checkpointSettings } from '../../train/checkpoint';
import type { TrainConfig } from '../../train/trainer-api';
import { EMPTY_HISTORY } from '../model';
import type { AppState, CheckpointSlice, SliceCreator } from './state';
import { datasetIdentity } from './dataset-slice';
import { currentConfig, runConfig, unsavedSteps } from './training-slice';

/** The question before a load replaces a model with unsaved steps (null: nothing to lose). */
function replaceQuestion(s: Pick<AppState, 'trainer'>, what: string): string | null {
  const lost = unsavedSteps(s);
  if (lost === 0) return null;
  return (
    `${what} replaces the model at step ${s.trainer.step}; its last ${lost} step${lost === 1 ? '' : 's'} ` +
    'are in no checkpoint and will be lost. Go on?'
  );
}

export const createCheckpointSlice: SliceCreator<CheckpointSlice> = (set, get, { ask, confirm }) => {
  /**
   * Takes `config` (a checkpoint's settings) into the forms and the address, drops a run built
   * with other settings, and makes the data set it names: the load that follows rebuilds the run
   * exactly. Older checkpoints without settings load under the form's.
   */
  async function prepareFor(config: TrainConfig | null | undefined): Promise<boolean> {
    if (config) {
      if (get().trainer.exists) {
        const ok = await get().trainerRequest({ type: 'reset' }, 'Dropping the current model');
        if (!ok) return false;
      }
      get().adoptSettings(config);
    }
    return get().ensureDataset();
  }

  /** The checkpoint's curves and a line saying what came back (and which data the run used). */
  function restored(history: AppState['history'] | undefined, message: string, config?: TrainConfig | null) {
    const data = config?.data;
    const other =
      data && data.source !== 'sample' && datasetIdentity(get()).name !== data.name
        ? ` It trained on "${data.name}" (${data.source}): open that in the Data panel to train on the same data.`
        : '';
    set({
      history: history ?? EMPTY_HISTORY,
      latest: null,
      stepMs: null,
      checkpointMessage: message + other,
    });
  }

  return {
    checkpointMessage: null,
    resumeOffer: null,

    async syncTrainer(offerResume) {
      const r = await ask(
        { type: 'trainer-state', config: currentConfig(get()) },
        (ev) => (ev.type === 'trainer' ? ev.state : undefined),
        () => {},
      );
      if (r.kind !== 'done') return;
      set({ trainer: r.value });
      // A reload mid-training: offer to go on from the autosave.
      const a = r.value.autosave;
      if (offerResume && a && !r.value.exists) set({ resumeOffer: { step: a.step, savedAt: a.savedAt } });
    },

    async saveCheckpoint(download) {
      set({ trainTask: { label: 'Saving a checkpoint', done: 0, total: 0 } });
      const r = await ask(
        { type: 'checkpoint-save' },
        (ev) => (ev.type === 'checkpoint' ? ev : undefined),
        () => {},
      );
      set({ trainTask: null });
      if (r.kind !== 'done') {
        set({
          checkpointMessage: `Could not save: ${r.kind === 'idle' || r.kind === 'busy' ? '' : r.message}`,
        });
        return null;
      }
      set({
        checkpointMessage: `Saved step ${r.value.step} in this browser${download ? ' and downloaded it' : ''}.`,
      });
      // The saved step is no longer at risk.
      void get().syncTrainer(false);
      return r.value.bytes;
    },

    async exportOnnx() {
      set({ trainTask: { label: 'Exporting the encoder as ONNX', done: 0, total: 0 } });
      const r = await ask(
        { type: 'export-onnx', batch: 1 },
        (ev) => (ev.type === 'onnx' ? ev : undefined),
        () => {},
      );
      set({ trainTask: null });
      return r;
    },

    async loadCheckpoint(file) {
      const q = replaceQuestion(get(), `Loading ${file.name}`);
      if (q && !confirm(q)) return;
      const bytes = new Uint8Array(await file.arrayBuffer());
      const settings = checkpointSettings(bytes)?.config;
      if (!(await prepareFor(settings))) return;
      const ok = await get().trainerRequest(
        { type: 'checkpoint-load', bytes, name: file.name, config: runConfig(get()) },
        `Loading ${file.name}`,
        [bytes.buffer],
      );
      // The checkpoint's curves (older checkpoints have none: the curves start over).
      if (ok)
        restored(ok.history, `Loaded ${file.name} (step ${get().trainer.step}) with its settings.`, settings);
    },

    async restoreAutosave() {
      const s = get();
      if (s.trainer.running || s.trainTask) return;
      const q = replaceQuestion(s, 'Restoring the autosave');
      if (q && !confirm(q)) return;
      // Right after a reload the sample set is still being generated: prepareFor waits for it.
      const settings = s.trainer.autosave?.config;
      if (!(await prepareFor(settings))) return;
      const ok = await get().trainerRequest(
        { type: 'checkpoint-restore', config: runConfig(get()) },
        'Restoring the autosave',
      );
      if (ok)
        restored(
          ok.history,
          `Restored the autosave (step ${get().trainer.step}) with its settings.`,
          settings,
        );
    },

    async resume() {
      set({ resumeOffer: null });
      await get().restoreAutosave();
      const t = get().trainer;
      if (!t.exists || t.running) return;
      const from = t.step;
      if (t.step >= t.totalSteps) {
        set({
          checkpointMessage: `The autosaved run had finished at step ${from}: train it on for more epochs.`,
        });
        return;
      }
      await get().train();
      if (get().trainer.running)
        set({ checkpointMessage: `Resumed training from the autosave of step ${from}.` });
    },

    discardResume() {
      set({ resumeOffer: null });
    },

    async discardAutosave() {
      const a = get().trainer.autosave;
      if (
        !a ||
        !confirm(`Delete the autosave of step ${a.step} from this browser? It cannot be brought back.`)
      )
        return;
      const { url } = get();
      await get().trainerRequest(
        { type: 'autosave-discard', config: currentConfig(get()) },
        'Deleting the autosave',
      );
      set({
        resumeOffer: null,
        checkpointMessage: `Deleted the autosave of ${url.preset}, seed ${url.seed}.`,
      });
    },
  };
};
