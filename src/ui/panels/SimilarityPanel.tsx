import { useState } from 'react';
import { retrievalAccuracy } from '../../eval/similarity';
import type { EmbeddingsReply } from '../../worker/protocol';
import { NotAvailable, OutcomeNote } from '../components/Bits';
import { classColor } from '../components/colors';
import { Heatmap } from '../components/Heatmap';
import { formatPercent } from '../format';
import { useApp } from '../store';
import { DatasetTag } from '../components/DatasetTag';
import { useAutoEmbeddings, useShownEmbeddings } from './EmbeddingsPanel';
import { classOrder } from './similarity-order';

export function SimilarityPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const emb = useApp((s) => s.embeddings);
  const trainer = useApp((s) => s.trainer);
  const refresh = useApp((s) => s.refreshEmbeddings);
  useAutoEmbeddings(true);
  const shown = useShownEmbeddings();
  const [stretch, setStretch] = useState(false);
  // Classes left out of the matrix (none: every class of the batch is shown).
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());

  return (
    <section aria-label="Similarity" className="panel">
      <header className="panel-head">
        <h2>Similarity</h2>
        <p className="panel-sub">
          Cosine similarity between the point projections (rows) and the image projections (columns) of one
          batch of shapes, two of each class, grouped by class; thin lines separate the classes. The outlined
          cells on the diagonal are the positive pairs (a shape’s points against its own view): training
          should make each the hottest cell of its row and column, and the two-by-two class blocks around it
          warmer than the rest. White is 0 unless the colours are stretched to the batch’s range.
        </p>
        <DatasetTag />
      </header>
      {caps && !caps.trainer ? (
        <NotAvailable
          what="The similarity matrix"
          message="It needs the trainer, which is not in this build yet."
        />
      ) : !trainer.exists ? (
        <p className="empty">No model yet: press Train or Step in the Training panel, then come back.</p>
      ) : (
        <>
          <div className="controls">
            <button type="button" onClick={() => void refresh('fresh')} disabled={emb.kind === 'busy'}>
              Refresh now
            </button>
            <label className="check">
              <input type="checkbox" checked={stretch} onChange={(e) => setStretch(e.target.checked)} />
              Stretch the colours to this batch’s range
            </label>
          </div>
          <OutcomeNote outcome={emb} what="Embedding" />
          {shown && <SimilarityMatrix e={shown} stretch={stretch} hidden={hidden} setHidden={setHidden} />}
        </>
      )}
    </section>
  );
}

/** The shown part of the batch: rows in class order, hidden classes left out. */
function shownBatch(e: EmbeddingsReply, hidden: ReadonlySet<number>) {
  const keep = e.batch.map((_, i) => i).filter((i) => !hidden.has(e.labels[e.batch[i]!]!));
  const { order, blocks } = classOrder(keep.map((i) => e.labels[e.batch[i]!]!));
  const rows = order.map((o) => keep[o]!); // positions in e.batch, shown order
  const B = e.batch.length;
  const sub = new Float32Array(rows.length * rows.length); // [b, b]
  rows.forEach((r, i) => {
    rows.forEach((c, j) => {
      sub[i * rows.length + j] = e.sim[r * B + c]!;
    });
  });
  return { rows, blocks, sim: sub };
}

function SimilarityMatrix({
  e,
  stretch,
  hidden,
  setHidden,
}: {
  e: EmbeddingsReply;
  stretch: boolean;
  hidden: ReadonlySet<number>;
  setHidden: (h: ReadonlySet<number>) => void;
}) {
  const dataset = useApp((s) => s.dataset);
  const info = dataset.kind === 'done' ? dataset.value : null;
  const { rows, blocks, sim } = shownBatch(e, hidden);
  const b = rows.length;
  const className = (l: number) => info?.summary.classes[l] ?? `class ${l}`;
  const label = (r: number) => {
    const obj = e.objects[e.batch[rows[r]!]!]!;
    const l = e.labels[e.batch[rows[r]!]!]!;
    const o = info?.objects[obj];
    return o ? `${className(l)} (${o.id})` : String(obj);
  };
  const labels = Array.from({ length: b }, (_, r) => label(r));
  const ticks = labels.map((l) => l.split(' (')[0]!);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of sim) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-6);
  const scale: [number, number] = stretch ? [lo, hi] : [-m, m];
  const retrieval = b > 0 ? retrievalAccuracy(sim, b) : { pointToImage: 0, imageToPoint: 0 };
  const batchClasses = [...new Set(e.batch.map((o) => e.labels[o]!))].sort((x, y) => x - y);
  return (
    <div className="sim-grid">
      {b > 0 ? (
        <Heatmap
          values={sim}
          rows={b}
          cols={b}
          rowLabels={labels}
          colLabels={labels}
          rowTicks={ticks}
          colTicks={ticks}
          blocks={blocks}
          rowTitle="points"
          colTitle="images"
          rowAxisTitle="point embeddings (rows)"
          colAxisTitle="image embeddings (columns)"
          size={Math.max(384, Math.min(520, 20 * b))}
          scale={scale}
          title={`${b}×${b} cross-modal cosine similarity at step ${e.step}, rows and columns grouped by class`}
        />
      ) : (
        <p className="empty">Every class is hidden: tick one to see its shapes.</p>
      )}
      <div className="card">
        <h3>Top-1 retrieval</h3>
        <dl className="readout" data-testid="retrieval">
          <div>
            <dt>points → images</dt>
            <dd>{formatPercent(retrieval.pointToImage)}</dd>
          </div>
          <div>
            <dt>images → points</dt>
            <dd>{formatPercent(retrieval.imageToPoint)}</dd>
          </div>
        </dl>
        <p className="muted-sm" data-testid="similarity-summary">
          A batch of {b} shapes ({blocks.length} classes) at step {e.step}; chance is{' '}
          {formatPercent(1 / Math.max(b, 1))}. Values range from {lo.toFixed(3)} to {hi.toFixed(3)}; the
          diagonal (matching point cloud and image) averages{' '}
          <span data-testid="sim-diag">{diagonalMean(sim, b).toFixed(3)}</span>, the rest{' '}
          <span data-testid="sim-off">{offDiagonalMean(sim, b).toFixed(3)}</span>.
        </p>
        <fieldset className="class-filter" aria-label="Classes shown">
          <legend>Classes shown</legend>
          <button type="button" onClick={() => setHidden(new Set())} disabled={hidden.size === 0}>
            All classes
          </button>
          {batchClasses.map((l) => (
            <label key={l} className="check">
              <input
                type="checkbox"
                checked={!hidden.has(l)}
                onChange={(ev) => {
                  const next = new Set(hidden);
                  if (ev.target.checked) next.delete(l);
                  else next.add(l);
                  setHidden(next);
                }}
              />
              <i className="swatch" style={{ background: classColor(l) }} /> {className(l)}
            </label>
          ))}
        </fieldset>
      </div>
    </div>
  );
}

/** Mean of the diagonal of a B×B matrix: each shape's point embedding against its own image. */
function diagonalMean(sim: Float32Array, B: number): number {
  let sum = 0;
  for (let i = 0; i < B; i++) sum += sim[i * B + i]!;
  return B ? sum / B : 0;
}

/** Mean of the B² − B entries off the diagonal: point embeddings against other shapes' images. */
function offDiagonalMean(sim: Float32Array, B: number): number {
  let sum = 0;
  for (let i = 0; i < B * B; i++) sum += sim[i]!;
  return B > 1 ? (sum - diagonalMean(sim, B) * B) / (B * B - B) : 0;
}
