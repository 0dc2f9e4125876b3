/** The Few-shot panel: the protocol form (it follows the sample set) and the last result. */
import { FEWSHOT_AIM, MIN_EPISODES } from '../fewshot-defaults';
import { IDLE } from './engine-link';
import type { FewshotSlice, SliceCreator } from './state';

export const createFewshotSlice: SliceCreator<FewshotSlice> = (set, get, { ask }) => ({
  fewshotForm: { ...FEWSHOT_AIM, episodes: MIN_EPISODES, seed: 0 }, // until a set is there
  fewshot: IDLE,

  setFewshotForm(patch) {
    set({ fewshotForm: { ...get().fewshotForm, ...patch } });
  },

  async runFewshot() {
    if (get().fewshot.kind === 'busy') return;
    set({ fewshot: { kind: 'busy', task: { label: 'Few-shot evaluation', done: 0, total: 0 } } });
    const r = await ask(
      { type: 'fewshot', params: get().fewshotForm },
      (ev) => (ev.type === 'fewshot' ? ev.reply : undefined),
      (task) => set({ fewshot: { kind: 'busy', task } }),
    );
    set({ fewshot: r });
  },
});
