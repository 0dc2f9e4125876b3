/** The training run: the form, Train/Pause/Step/Reset, and the metrics the engine streams. */
import type { TrainConfig } from '../../train/trainer-api';
import { appendMetrics, DEFAULT_HYPER, EMPTY_HISTORY, smoothStepMs, trainConfigFrom } from '../model';
import { IDLE } from './engine-link';
import type { AppState, SliceCreator, TrainingSlice } from './state';

const EMPTY_TRAINER = { exists: false, running: false, step: 0, config: null, autosave: null };

/** The TrainConfig the form and address describe. */
export function currentConfig(s: Pick<AppState, 'url' | 'hyper'>): TrainConfig {
  return trainConfigFrom(s.url, s.hyper);
}

export const createTrainingSlice: SliceCreator<TrainingSlice> = (set, get, { ask }) => ({
  hyper: DEFAULT_HYPER,
  trainer: EMPTY_TRAINER,
  trainTask: null,
  history: EMPTY_HISTORY,
  latest: null,
  stepMs: null,
  faults: [],

  setHyper(patch) {
    set({ hyper: { ...get().hyper, ...patch } });
  },

  async trainerRequest(body, label, transfer) {
    set({ trainTask: { label, done: 0, total: 0 } });
    const r = await ask(
      body,
      (ev) => (ev.type === 'trainer' ? ev : undefined),
      (t) => set({ trainTask: t }),
      transfer,
    );
    set({ trainTask: null });
    if (r.kind === 'done') {
      // A later action that succeeds clears the errors of earlier ones.
      set({ trainer: r.value.state, faults: [] });
      return { history: r.value.history };
    }
    if (r.kind === 'error' || r.kind === 'not-available') {
      set({ faults: [...get().faults, { kind: 'error', message: r.message }] });
    }
    return null;
  },

  onTrainerEvent(ev) {
    const s = get();
    if (ev.type === 'metrics') {
      set({
        latest: ev.metrics,
        history: appendMetrics(s.history, ev.metrics),
        stepMs: smoothStepMs(s.stepMs, ev.metrics.stepMs),
        trainer: { ...s.trainer, step: ev.metrics.step },
      });
    } else if (ev.type === 'fault') {
      set({ faults: [...s.faults.slice(-4), ev.fault] });
    } else if (ev.type === 'trainer-state') {
      // Sent on state changes and after each autosave, so the autosave line stays current.
      set({ trainer: ev.state });
    }
  },

  // The form's check (hyperErrors) enables the button; the engine's trainer checks the config
  // again and its refusal comes back as a fault, so nothing is checked twice here.
  async train() {
    if (get().trainer.running || get().trainTask) return;
    if (!(await get().ensureDataset())) return;
    const ok = await get().trainerRequest({ type: 'run', config: currentConfig(get()) }, 'Starting training');
    if (ok) set({ checkpointMessage: null, resumeOffer: null });
  },

  async pause() {
    await get().trainerRequest({ type: 'pause' }, 'Pausing after this step');
  },

  async step() {
    if (get().trainer.running || get().trainTask) return;
    if (!(await get().ensureDataset())) return;
    await get().trainerRequest({ type: 'step', config: currentConfig(get()) }, 'One step');
  },

  async reset() {
    const ok = await get().trainerRequest({ type: 'reset' }, 'Resetting');
    if (ok) {
      set({
        history: EMPTY_HISTORY,
        latest: null,
        stepMs: null,
        faults: [],
        embeddings: IDLE,
        fewshot: IDLE,
        checkpointMessage: null,
      });
    }
  },
});
