import { useEffect, useState } from 'react';
import type { EmbeddingsReply } from '../../worker/protocol';
import { NotAvailable, OutcomeNote, RgbaImage } from '../components/Bits';
import { classColor } from '../components/colors';
import { JointScatter } from '../components/JointScatter';
import { Scatter } from '../components/Scatter';
import { useApp } from '../store';
import { embeddingsCoverage } from './embeddings-coverage';
import { DatasetTag } from '../components/DatasetTag';
import { REFRESH_SHARE } from '../../worker/refresh-pacer';

/** Re-embed after at least this many new steps while the panel is open. */
const REFRESH_EVERY = 10;

/**
 * Shared by Embeddings and Similarity: ask for embeddings when there are none or they are stale.
 * While training runs, an automatic refresh is asked for only when the engine's refresh budget
 * allows one (`refreshBudget.ready`, sent with each step's metrics), and is paced there: the engine
 * counts every ms of the refresh against training's time and keeps it to REFRESH_SHARE
 * (src/worker/refresh-pacer.ts).
 */
export function useAutoEmbeddings(auto: boolean) {
  const step = useApp((s) => s.trainer.step);
  const exists = useApp((s) => s.trainer.exists);
  const running = useApp((s) => s.trainer.running);
  const ready = useApp((s) => s.refreshBudget?.ready ?? true);
  const emb = useApp((s) => s.embeddings);
  const refresh = useApp((s) => s.refreshEmbeddings);
  useEffect(() => {
    if (!exists || emb.kind === 'busy' || emb.kind === 'not-available') return;
    const last = emb.kind === 'done' ? emb.value.step : -Infinity;
    if (emb.kind === 'error' && !running) return;
    const stale = last === -Infinity || (auto && step - last >= (running ? REFRESH_EVERY : 1));
    if (!stale) return;
    // The first picture comes at once; later ones during training within the budget.
    const paced = running && last !== -Infinity;
    if (paced && !ready) return;
    void refresh(paced ? 'paced' : 'auto');
  }, [step, exists, running, ready, emb, auto, refresh]);
}

/** The embeddings to draw: the finished ones, or during a refresh the previous ones until the new are ready. */
export function useShownEmbeddings(): EmbeddingsReply | null {
  const emb = useApp((s) => s.embeddings);
  const before = useApp((s) => s.embeddingsBefore);
  return emb.kind === 'done' ? emb.value : emb.kind === 'busy' ? before : null;
}

export function EmbeddingsPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const emb = useApp((s) => s.embeddings);
  const trainer = useApp((s) => s.trainer);
  const [auto, setAuto] = useState(true);
  useAutoEmbeddings(auto);
  const shown = useShownEmbeddings();

  return (
    <section aria-label="Embeddings" className="panel">
      <header className="panel-head">
        <h2>Embeddings</h2>
        <p className="panel-sub">
          Where the same shapes land in the shared embedding space: once from their point clouds (the point
          network) and once from a rendered picture (the image network), flattened to 2-D and coloured by
          class. Hover a shape to find its partner in the other space; the joint map puts both branches in one
          space with each shape’s pair joined.
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
          <EmbeddingControls auto={auto} setAuto={setAuto} />
          <OutcomeNote outcome={emb} what="Embedding" />
          {shown && <EmbeddingMaps e={shown} refreshing={emb.kind === 'busy'} />}
        </>
      )}
    </section>
  );
}

function EmbeddingControls({ auto, setAuto }: { auto: boolean; setAuto: (a: boolean) => void }) {
  const emb = useApp((s) => s.embeddings);
  const projection = useApp((s) => s.projection);
  const { setProjection, refreshEmbeddings } = useApp.getState();
  return (
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
      <label
        className="check"
        title={`During training at most ${Math.round(REFRESH_SHARE * 100)} % of its time goes to refreshing`}
      >
        <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} />
        Refresh as training goes on
      </label>
      <RefreshShare />
      <button type="button" onClick={() => void refreshEmbeddings('fresh')} disabled={emb.kind === 'busy'}>
        Refresh now
      </button>
    </div>
  );
}

/**
 * What refreshing has taken of training's time so far, by the engine's account (its GPU slices
 * and projections against the time training ran), beside the share it is held to.
 */
function RefreshShare() {
  const b = useApp((s) => s.refreshBudget);
  if (!b || b.trainingMs <= 0) return null;
  const share = b.refreshMs / (b.refreshMs + b.trainingMs);
  return (
    <span
      className="muted-sm"
      data-testid="refresh-share"
      data-ready={b.ready}
      data-training-ms={Math.round(b.trainingMs)}
      data-refresh-ms={Math.round(b.refreshMs)}
      title="Measured in the engine: the refresh's GPU work between steps and its projection, against training's time"
    >
      refreshing has taken {(100 * share).toFixed(1)} % of training’s time so far (paced to{' '}
      {Math.round(b.share * 100)} %)
    </span>
  );
}

/** The two side-by-side maps, the joint map and the hover card. */
function EmbeddingMaps({ e, refreshing }: { e: EmbeddingsReply; refreshing: boolean }) {
  const dataset = useApp((s) => s.dataset);
  const [hover, setHover] = useState<number | null>(null);
  const info = dataset.kind === 'done' ? dataset.value : null;
  const classes = info?.summary.classes ?? [];
  const coverage = info ? embeddingsCoverage(e.objects, info.objects) : null;
  const n = e.objects.length;
  const how = e.projection.toUpperCase();
  return (
    <div
      data-testid="embedding-maps"
      data-step={e.step}
      data-cost-ms={Math.round(e.costMs)}
      aria-busy={refreshing}
    >
      <p className="summary-line" data-testid="embeddings-summary" title={coverage?.detail || undefined}>
        {coverage ? coverage.text : `${n} shapes`}; embedded at step {e.step}, {e.dim}-d projections, {how} to
        2-D{refreshing ? ' (a newer picture is on its way)' : ''}.
      </p>
      <div className="pair">
        <figure>
          <figcaption>Point embeddings</figcaption>
          <Scatter
            xy={e.pointXY}
            labels={e.labels}
            highlight={hover}
            onHover={setHover}
            title={`Point embeddings of ${n} shapes (${how})`}
            size={340}
          />
        </figure>
        <figure>
          <figcaption>Image embeddings</figcaption>
          <Scatter
            xy={e.imageXY}
            labels={e.labels}
            highlight={hover}
            onHover={setHover}
            title={`Image embeddings of ${n} shapes (${how})`}
            size={340}
          />
        </figure>
        <HoverCard e={e} hover={hover} />
      </div>
      <figure className="joint">
        <figcaption>
          Both in one space (PCA of the point and image projections together, each scaled to length 1): ●
          point embedding, ■ image embedding, a line joins each shape’s two. Short lines mean the branches
          agree.
        </figcaption>
        <JointScatter
          xy={e.jointXY}
          labels={e.labels}
          highlight={hover}
          onHover={setHover}
          title={`Point and image embeddings of ${n} shapes in one space, pairs joined`}
          size={420}
        />
      </figure>
      <ClassLegend classes={classes} present={new Set(e.labels)} />
    </div>
  );
}

function HoverCard({ e, hover }: { e: EmbeddingsReply; hover: number | null }) {
  const dataset = useApp((s) => s.dataset);
  const info = dataset.kind === 'done' ? dataset.value : null;
  const obj = hover !== null ? e.objects[hover] : undefined;
  const o = obj !== undefined ? info?.objects[obj] : undefined;
  return (
    <div className="hover-card" aria-live="polite" data-testid="embedding-hover">
      {o && obj !== undefined && info ? (
        <>
          <RgbaImage thumb={info.thumbs[obj]!} display={112} label={`view of ${o.id}`} />
          <p>
            <b>{info.summary.classes[o.label]}</b>
            <br />
            <span className="muted-sm">
              {o.id} · {o.split}
            </span>
          </p>
        </>
      ) : (
        <p className="muted-sm">Hover a dot: the same shape is ringed in every map.</p>
      )}
    </div>
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
