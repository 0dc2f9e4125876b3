/** The Embeddings panel: the projection and the last picture (kept while a refresh runs). */
import { IDLE } from './engine-link';
import type { EmbeddingsSlice, SliceCreator } from './state';

export const createEmbeddingsSlice: SliceCreator<EmbeddingsSlice> = (set, get, { ask }) => ({
  projection: 'pca',
  embeddings: IDLE,

  setProjection(p) {
    set({ projection: p });
  },

  async refreshEmbeddings() {
    if (get().embeddings.kind === 'busy') return;
    const prev = get().embeddings;
    set({ embeddings: { kind: 'busy', task: { label: 'Embedding the shapes', done: 0, total: 0 } } });
    const r = await ask(
      { type: 'embed', projection: get().projection, limit: 96 },
      (ev) => (ev.type === 'embeddings' ? ev.reply : undefined),
      (task) => set({ embeddings: { kind: 'busy', task } }),
    );
    // Keep the previous picture when a refresh fails for a passing reason.
    set({ embeddings: r.kind === 'error' && prev.kind === 'done' ? prev : r });
  },
});
