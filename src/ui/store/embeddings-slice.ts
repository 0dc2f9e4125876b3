/** The Embeddings panel: the projection and the last picture (kept while a refresh runs). */
import { appendEval } from '../../train/metrics-history';
import { IDLE } from './engine-link';
import type { EmbeddingsSlice, SliceCreator } from './state';

export const createEmbeddingsSlice: SliceCreator<EmbeddingsSlice> = (set, get, { ask }) => ({
  projection: 'pca',
  embeddings: IDLE,
  embeddingsBefore: null,

  setProjection(p) {
    set({ projection: p });
  },

  async refreshEmbeddings(how = 'auto') {
    if (get().embeddings.kind === 'busy') return;
    const prev = get().embeddings;
    set({
      embeddings: { kind: 'busy', task: { label: 'Embedding the shapes', done: 0, total: 0 } },
      embeddingsBefore: prev.kind === 'done' ? prev.value : null,
    });
    const r = await ask(
      {
        type: 'embed',
        projection: get().projection,
        limit: 96,
        ...(how === 'paced' ? { paced: true } : how === 'fresh' ? { fresh: true } : {}),
      },
      (ev) => (ev.type === 'embeddings' ? ev.reply : undefined),
      (task) => set({ embeddings: { kind: 'busy', task } }),
    );
    // Keep the previous picture when a refresh fails for a passing reason (said in the console).
    if (r.kind === 'error' && prev.kind === 'done')
      console.warn(`Embeddings refresh failed, the picture of step ${prev.value.step} stays: ${r.message}`);
    set({ embeddings: r.kind === 'error' && prev.kind === 'done' ? prev : r, embeddingsBefore: null });
    // The batch's similarity summary joins the run's history (the worker keeps the same in its
    // checkpoints), for the curves of the diagonal, the off-diagonal and retrieval over training.
    if (r.kind === 'done')
      set({ history: appendEval(get().history, { ...r.value.summary, step: r.value.step }) });
  },
});
