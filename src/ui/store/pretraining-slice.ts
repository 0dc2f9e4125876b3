/** The "What pretraining buys" section: its form (init seeds, label draws) and the last comparison. */
import type { CompareInitParams } from '../../worker/protocol';
import { IDLE } from './engine-link';
import type { PretrainingSlice, SliceCreator } from './state';

export const createPretrainingSlice: SliceCreator<PretrainingSlice> = (set, get, { ask }) => ({
  pretrainingForm: { seeds: 3, draws: 5, episodes: 10, onEvalSet: true },
  pretraining: IDLE,

  setPretrainingForm(patch) {
    set({ pretrainingForm: { ...get().pretrainingForm, ...patch } });
  },

  async runPretrainingComparison() {
    if (get().pretraining.kind === 'busy') return;
    const { seeds, draws, episodes, onEvalSet } = get().pretrainingForm;
    // The Few-shot form's way, shot and queries (compare-init lowers them to what the split holds).
    const { way, shot, query, seed } = get().fewshotForm;
    // The user's evaluation set once one is loaded (unless the form asks for the split).
    const on: CompareInitParams['on'] = onEvalSet && get().evalSet.kind === 'done' ? 'eval-set' : 'split';
    const params: CompareInitParams = {
      seeds,
      draws,
      seed,
      fewshot: episodes > 0 ? { way, shot, query, episodes } : null,
      on,
    };
    set({ pretraining: { kind: 'busy', task: { label: 'What pretraining buys', done: 0, total: 0 } } });
    const r = await ask(
      { type: 'compare-init', params },
      (ev) => (ev.type === 'compare-init' ? ev.reply : undefined),
      (task) => set({ pretraining: { kind: 'busy', task } }),
    );
    set({ pretraining: r });
  },
});
