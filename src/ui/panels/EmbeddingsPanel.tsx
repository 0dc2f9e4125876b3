import { useEffect, useState } from 'react';
import { NotAvailable, OutcomeNote, RgbaImage } from '../components/Bits';
import { classColor } from '../components/colors';
import { Scatter } from '../components/Scatter';
import { useApp } from '../store';
import { embeddingsCoverage } from './embeddings-coverage';
import { DatasetTag } from '../components/DatasetTag';

/** Re-embed after this many new steps while the panel is open. */
const REFRESH_EVERY = 10;

/** Shared by Embeddings and Similarity: ask for embeddings when there are none or they are stale. */
export function useAutoEmbeddings(auto: boolean) {
  const step = useApp((s) => s.trainer.step);
  const exists = useApp((s) => s.trainer.exists);
  const running = useApp((s) => s.trainer.running);
  const emb = useApp((s) => s.embeddings);
  const refresh = useApp((s) => s.refreshEmbeddings);
  useEffect(() => {
    if (!exists || emb.kind === 'busy' || emb.kind === 'not-available') return;
    const last = emb.kind === 'done' ? emb.value.step : -Infinity;
    if (emb.kind === 'error' && !running) return;
    if (last === -Infinity || (auto && step - last >= (running ? REFRESH_EVERY : 1))) void refresh();
  }, [step, exists, running, emb, auto, refresh]);
}

export function EmbeddingsPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const emb = useApp((s) => s.embeddings);
  const dataset = useApp((s) => s.dataset);
  const trainer = useApp((s) => s.trainer);
  const projection = useApp((s) => s.projection);
  const { setProjection, refreshEmbeddings } = useApp.getState();
  const [auto, setAuto] = useState(true);
  const [hover, setHover] = useState<number | null>(null);
  useAutoEmbeddings(auto);

  const info = dataset.kind === 'done' ? dataset.value : null;
  const classes = info?.summary.classes ?? [];

  return (
    <section aria-label="Embeddings" className="panel">
      <header className="panel-head">
        <h2>Embeddings</h2>
        <p className="panel-sub">
          Eval-mode projections of the same shapes by the point branch (DGCNN + head) and the image branch
          (ResNet + head), reduced to 2-D and coloured by class. Hover a shape to find its partner in the
          other space.
        </p>
        <DatasetTag />
      </header>
      {caps && !caps.trainer ? (
        <NotAvailable
          what="Embeddings"
          message="They come from the trainer, which is not in this build yet."
        />
      ) : !trainer.exists ? (
        <p className="empty">No model yet: press Train or Step in the Training panel, then come back.</p>
      ) : (
        <>
          <div className="controls">
            <label>
              Projection
              <select
                value={projection}
                onChange={(e) => {
                  setProjection(e.target.value as 'pca' | 'umap');
                  void refreshEmbeddings();
                }}
              >
                <option value="pca">PCA</option>
                <option value="umap">UMAP</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} />
              Refresh as training goes on
            </label>
            <button type="button" onClick={() => void refreshEmbeddings()} disabled={emb.kind === 'busy'}>
              Refresh now
            </button>
          </div>
          <OutcomeNote outcome={emb} what="Embedding" />
          {emb.kind === 'done' && (
            <>
              <p className="summary-line" data-testid="embeddings-summary">
                {info
                  ? embeddingsCoverage(emb.value.objects, info.objects).text
                  : `${emb.value.objects.length} shapes`}
                ; embedded at step {emb.value.step}, {emb.value.dim}-d projections,{' '}
                {emb.value.projection.toUpperCase()} to 2-D.
              </p>
              <div className="pair">
                <figure>
                  <figcaption>Point embeddings</figcaption>
                  <Scatter
                    xy={emb.value.pointXY}
                    labels={emb.value.labels}
                    highlight={hover}
                    onHover={setHover}
                    title={`Point embeddings of ${emb.value.objects.length} shapes (${emb.value.projection.toUpperCase()})`}
                    size={340}
                  />
                </figure>
                <figure>
                  <figcaption>Image embeddings</figcaption>
                  <Scatter
                    xy={emb.value.imageXY}
                    labels={emb.value.labels}
                    highlight={hover}
                    onHover={setHover}
                    title={`Image embeddings of ${emb.value.objects.length} shapes (${emb.value.projection.toUpperCase()})`}
                    size={340}
                  />
                </figure>
                <div className="hover-card" aria-live="polite" data-testid="embedding-hover">
                  {hover !== null && info ? (
                    (() => {
                      const obj = emb.value.objects[hover]!;
                      const o = info.objects[obj]!;
                      return (
                        <>
                          <RgbaImage thumb={info.thumbs[obj]!} display={112} label={`view of ${o.id}`} />
                          <p>
                            <b>{classes[o.label]}</b>
                            <br />
                            <span className="muted-sm">
                              {o.id} · {o.split}
                            </span>
                          </p>
                        </>
                      );
                    })()
                  ) : (
                    <p className="muted-sm">Hover a dot: the same shape is ringed in both spaces.</p>
                  )}
                </div>
              </div>
              <ClassLegend classes={classes} present={new Set(emb.value.labels)} />
            </>
          )}
        </>
      )}
    </section>
  );
}

export function ClassLegend({ classes, present }: { classes: string[]; present: Set<number> }) {
  return (
    <ul className="class-legend" aria-label="Class colours">
      {classes.map((c, i) =>
        present.has(i) ? (
          <li key={c}>
            <i style={{ background: classColor(i) }} aria-hidden="true" />
            {c}
          </li>
        ) : null,
      )}
    </ul>
  );
}
