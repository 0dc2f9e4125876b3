import { CurveChart } from '../components/CurveChart';
import { formatPercent } from '../format';
import type { LossHistory } from '../model';
import { useApp } from '../store';

const LOSS_COLORS = { imid: '#0072b2', cmid: '#d55e00', loss: '#1b1f24' };

/** The run's curves from its history: the losses, and the similarity evaluations the panels recorded. */
export function TrainingCurves() {
  const history = useApp((s) => s.history);
  return (
    <div className="card chart-card">
      <h3>Loss curves</h3>
      {history.step.length > 0 ? (
        // The curve's extent and last loss as data attributes, for the restore test and the first-look measurement.
        <div
          data-testid="loss-chart"
          data-points={history.step.length}
          data-first-step={history.step[0]}
          data-last-step={history.step[history.step.length - 1]}
          data-last-loss={history.loss[history.loss.length - 1]}
        >
          <CurveChart
            title="Training losses L_imid, L_cmid and L by step"
            x={history.step}
            curves={[
              { name: 'L_imid', color: LOSS_COLORS.imid, y: history.imid },
              { name: 'L_cmid', color: LOSS_COLORS.cmid, y: history.cmid },
              { name: 'L', color: LOSS_COLORS.loss, y: history.loss },
            ]}
            yLabel="loss (NT-Xent)"
            smoothing
            logToggle
            testId="loss-curves"
          />
        </div>
      ) : (
        <p className="empty">
          Curves appear here once training runs. Press Train, or Step for a single step.
        </p>
      )}
      <SimilarityCurves history={history} />
    </div>
  );
}

/** Diagonal against off-diagonal similarity, and retrieval against chance, over the recorded evaluations. */
function SimilarityCurves({ history }: { history: LossHistory }) {
  const evals = history.evals ?? [];
  if (evals.length === 0)
    return (
      <p className="muted-sm" data-testid="similarity-curves-empty">
        Curves of the similarity matrix over training appear once the Similarity or Embeddings panel has
        evaluated the model: each of their refreshes adds a point, kept in the run’s checkpoints.
      </p>
    );
  const x = evals.map((e) => e.step);
  const withRetrieval = evals.filter((e) => e.retrieval !== undefined);
  return (
    <>
      <h3>Cross-modal similarity over training</h3>
      <CurveChart
        title="Mean cosine similarity of positive pairs (diagonal) and of other pairs (off-diagonal) by step"
        x={x}
        curves={[
          { name: 'diagonal (own view)', color: '#009e73', y: evals.map((e) => e.simDiag) },
          { name: 'off-diagonal (other views)', color: '#cc79a7', y: evals.map((e) => e.simOff) },
        ]}
        yLabel="cosine similarity"
        testId="similarity-curves"
        height={200}
      />
      {withRetrieval.length > 0 && (
        <>
          <h3>Top-1 retrieval over training</h3>
          <CurveChart
            title="Top-1 cross-modal retrieval (mean of points to images and images to points) and chance by step"
            x={withRetrieval.map((e) => e.step)}
            curves={[
              { name: 'retrieval', color: '#0072b2', y: withRetrieval.map((e) => e.retrieval!) },
              {
                name: 'chance (1 / batch)',
                color: '#7f7f7f',
                y: withRetrieval.map((e) => (e.batch ? 1 / e.batch : Number.NaN)),
                dash: true,
              },
            ]}
            yLabel="top-1 retrieval"
            format={(v) => formatPercent(v)}
            testId="retrieval-curves"
            height={200}
          />
        </>
      )}
    </>
  );
}
