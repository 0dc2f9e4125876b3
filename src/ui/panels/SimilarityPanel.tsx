import { NotAvailable, OutcomeNote } from '../components/Bits';
import { Heatmap } from '../components/Heatmap';
import { formatPercent } from '../format';
import { useState } from 'react';
import { useApp } from '../store';
import { useAutoEmbeddings } from './EmbeddingsPanel';
import { classOrder, permuteSquare } from './similarity-order';
import { DatasetTag } from '../components/DatasetTag';

export function SimilarityPanel() {
  const caps = useApp((s) => (s.engine.kind === 'ready' ? s.engine.capabilities : null));
  const emb = useApp((s) => s.embeddings);
  const dataset = useApp((s) => s.dataset);
  const trainer = useApp((s) => s.trainer);
  const refresh = useApp((s) => s.refreshEmbeddings);
  useAutoEmbeddings(true);
  const info = dataset.kind === 'done' ? dataset.value : null;
  const [stretch, setStretch] = useState(true);

  return (
    <section aria-label="Similarity" className="panel">
      <header className="panel-head">
        <h2>Similarity</h2>
        <p className="panel-sub">
          Cosine similarity between the point projections (rows) and the image projections (columns) of one
          batch of shapes, two of each class, grouped by class. The outlined diagonal holds the positive
          pairs: training should make it the hottest cell of its row and column, and the class blocks around
          it warmer than the rest.
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
            <button type="button" onClick={() => void refresh()} disabled={emb.kind === 'busy'}>
              Refresh now
            </button>
            <label className="check">
              <input type="checkbox" checked={stretch} onChange={(e) => setStretch(e.target.checked)} />
              Stretch the colours to this batch’s range
            </label>
          </div>
          <OutcomeNote outcome={emb} what="Embedding" />
          {emb.kind === 'done' &&
            (() => {
              const e = emb.value;
              const B = e.batch.length;
              // Rows and columns in class order, so same-class pairs form blocks on the diagonal.
              const { order, blocks } = classOrder(e.batch.map((o) => e.labels[o]!));
              const sim = permuteSquare(e.sim, B, order);
              const className = (r: number) => {
                const l = e.labels[e.batch[order[r]!]!]!;
                return info?.summary.classes[l] ?? `class ${l}`;
              };
              const label = (r: number) => {
                const obj = e.objects[e.batch[order[r]!]!]!;
                const o = info?.objects[obj];
                return o ? `${className(r)} (${o.id})` : String(obj);
              };
              const labels = Array.from({ length: B }, (_, r) => label(r));
              const ticks = Array.from({ length: B }, (_, r) => className(r));
              return (
                <div className="sim-grid">
                  <Heatmap
                    values={sim}
                    rows={B}
                    cols={B}
                    rowLabels={labels}
                    colLabels={labels}
                    rowTicks={ticks}
                    colTicks={ticks}
                    blocks={blocks}
                    rowTitle="points"
                    colTitle="images"
                    rowAxisTitle="point embeddings (rows)"
                    colAxisTitle="image embeddings (columns)"
                    size={384}
                    scale={stretch ? [Math.min(...e.sim), Math.max(...e.sim)] : [-1, 1]}
                    title={`${B}×${B} cross-modal cosine similarity at step ${e.step}, rows and columns grouped by class`}
                  />
                  <div className="card">
                    <h3>Top-1 retrieval</h3>
                    <dl className="readout" data-testid="retrieval">
                      <div>
                        <dt>points → images</dt>
                        <dd>{formatPercent(e.retrieval.pointToImage)}</dd>
                      </div>
                      <div>
                        <dt>images → points</dt>
                        <dd>{formatPercent(e.retrieval.imageToPoint)}</dd>
                      </div>
                    </dl>
                    <p className="muted-sm" data-testid="similarity-summary">
                      A batch of {B} shapes ({blocks.length} classes) at step {e.step}; chance is{' '}
                      {formatPercent(1 / B)}. Values range from {Math.min(...e.sim).toFixed(3)} to{' '}
                      {Math.max(...e.sim).toFixed(3)}; the diagonal (matching point cloud and image) averages{' '}
                      <span data-testid="sim-diag">{diagonalMean(e.sim, B).toFixed(3)}</span>, the rest{' '}
                      <span data-testid="sim-off">{offDiagonalMean(e.sim, B).toFixed(3)}</span>.
                    </p>
                    <ol className="batch-list">
                      {labels.map((l, i) => (
                        <li key={l} title={l}>
                          <span className="muted-sm">{i + 1}.</span> {l.split(' (')[0]}
                        </li>
                      ))}
                    </ol>
                  </div>
                </div>
              );
            })()}
        </>
      )}
    </section>
  );
}

/** Mean of the diagonal of a B×B matrix: each shape's point embedding against its own image. */
function diagonalMean(sim: Float32Array, B: number): number {
  let sum = 0;
  for (let i = 0; i < B; i++) sum += sim[i * B + i]!;
  return sum / B;
}

/** Mean of the B² − B entries off the diagonal: point embeddings against other shapes' images. */
function offDiagonalMean(sim: Float32Array, B: number): number {
  let sum = 0;
  for (let i = 0; i < B * B; i++) sum += sim[i]!;
  return B > 1 ? (sum - diagonalMean(sim, B) * B) / (B * B - B) : 0;
}
