/** Checkpoints: save and download, load a file, the autosave's restore and resume, ONNX export. */
import { EMPTY_HISTORY } from '../model';
import type { CheckpointSlice, SliceCreator } from './state';
import { currentConfig } from './training-slice';

export const createCheckpointSlice: SliceCreator<CheckpointSlice> = (set, get, { ask }) => ({
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
    const bytes = new Uint8Array(await file.arrayBuffer());
    const ok = await get().trainerRequest(
      { type: 'checkpoint-load', bytes, name: file.name, config: currentConfig(get()) },
      `Loading ${file.name}`,
      [bytes.buffer],
    );
    if (ok) {
      set({
        // The checkpoint's curves (older checkpoints have none: the curves start over).
        history: ok.history ?? EMPTY_HISTORY,
        latest: null,
        checkpointMessage: `Loaded ${file.name} (step ${get().trainer.step}).`,
      });
    }
  },

  async restoreAutosave() {
    if (get().trainer.running || get().trainTask) return;
    // Right after a reload the sample set is still being generated: wait for it.
    if (!(await get().ensureDataset())) return;
    const ok = await get().trainerRequest(
      { type: 'checkpoint-restore', config: currentConfig(get()) },
      'Restoring the autosave',
    );
    if (ok)
      set({
        history: ok.history ?? EMPTY_HISTORY,
        latest: null,
        checkpointMessage: `Restored the autosave (step ${get().trainer.step}).`,
      });
  },

  async resume() {
    set({ resumeOffer: null });
    await get().restoreAutosave();
    const t = get().trainer;
    if (!t.exists || t.running) return;
    const from = t.step;
    await get().train();
    if (get().trainer.running)
      set({ checkpointMessage: `Resumed training from the autosave of step ${from}.` });
  },

  discardResume() {
    set({ resumeOffer: null });
  },
});
