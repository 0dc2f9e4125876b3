/** The training run: the form, Train/Pause/Step/Reset/train more, and the metrics the engine streams. */
import type { TrainConfig } from '../../train/trainer-api';
import { appendMetrics, EMPTY_HISTORY, smoothStepMs, trainConfigFrom } from '../model';
import { datasetIdentity } from './dataset-slice';
import { IDLE } from './engine-link';
import type { AppState, SliceCreator, TrainingSlice } from './state';

const EMPTY_TRAINER = {
  exists: false,
  running: false,
  step: 0,
  totalSteps: 0,
  savedStep: 0,
  config: null,
  autosave: null,
};

/** The TrainConfig the form and address describe. */
export function currentConfig(s: Pick<AppState, 'url' | 'hyper'>): TrainConfig {
  return trainConfigFrom(s.url, s.hyper);
}

/** The config a new run is built with: the form's, and the identity of the data it trains on. */
export function runConfig(s: Pick<AppState, 'url' | 'hyper' | 'sampleForm' | 'dataset'>): TrainConfig {
  return { ...currentConfig(s), data: datasetIdentity(s) };
}

/** Steps after the last checkpoint (autosave or save), which Reset or a load would lose. */
export function unsavedSteps(s: Pick<AppState, 'trainer'>): number {
  const t = s.trainer;
  return t.exists ? Math.max(0, t.step - t.savedStep) : 0;
}

/** Whether the run has trained all its configured epochs. */
export function isFinished(s: Pick<AppState, 'trainer'>): boolean {
  const t = s.trainer;
  return t.exists && t.totalSteps > 0 && t.step >= t.totalSteps;
}

export const createTrainingSlice: SliceCreator<TrainingSlice> = (set, get, { ask, confirm, initial }) => {
  /** A previous run's autosave is kept until the user lets a new run (Train or Step) replace it. */
  function mayReplaceAutosave(): boolean {
    const t = get().trainer;
    const a = t.autosave;
    if (t.exists || !a) return true;
    return confirm(
      `An autosave of step ${a.step} (an earlier run of this preset and seed) is kept in this browser. ` +
        "The new run's first autosave will replace it. Start a new run? (Cancel, then Restore autosave, " +
        'to continue the earlier run instead.)',
    );
  }

  return {
    hyper: initial.hyper,
    trainer: EMPTY_TRAINER,
    trainTask: null,
    history: EMPTY_HISTORY,
    latest: null,
    stepMs: null,
    refreshBudget: null,
    faults: [],

    setHyper(patch) {
      set({ hyper: { ...get().hyper, ...patch } });
      get().writeAddress();
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
          refreshBudget: ev.refresh ?? null,
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
      const s = get();
      if (s.trainer.running || s.trainTask || isFinished(s) || !mayReplaceAutosave()) return;
      if (!(await get().ensureDataset())) return;
      const ok = await get().trainerRequest({ type: 'run', config: runConfig(get()) }, 'Starting training');
      if (ok) set({ checkpointMessage: null, resumeOffer: null });
    },

    async trainMore(more) {
      const s = get();
      const epochs = s.trainer.config?.epochs;
      if (!s.trainer.exists || s.trainer.running || s.trainTask || epochs === undefined) return;
      const ok = await get().trainerRequest({ type: 'continue', epochs: epochs + more }, 'Training on');
      if (ok) {
        // The form shows the run's settings: the epochs now include the extra ones.
        set({ hyper: { ...get().hyper, epochs: String(epochs + more) } });
        get().writeAddress();
      }
    },

    async pause() {
      await get().trainerRequest({ type: 'pause' }, 'Pausing after this step');
    },

    async step() {
      const s = get();
      if (s.trainer.running || s.trainTask || isFinished(s) || !mayReplaceAutosave()) return;
      if (!(await get().ensureDataset())) return;
      await get().trainerRequest({ type: 'step', config: runConfig(get()) }, 'One step');
    },

    async reset() {
      const lost = unsavedSteps(get());
      if (
        lost > 0 &&
        !confirm(
          `Reset discards the model at step ${get().trainer.step}: its last ${lost} step${lost === 1 ? '' : 's'} ` +
            'are in no checkpoint. (The autosave, if any, stays.) Reset?',
        )
      )
        return;
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
        // The autosave stays: show it again (the reply describes no run).
        await get().syncTrainer(false);
      }
    },
  };
};
