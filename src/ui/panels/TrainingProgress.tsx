import { formatBytes } from '../../gpu/errors';
import { resolveConfig } from '../../train/train-config';
import { formatDuration, formatLoss, formatRate } from '../format';
import { useApp } from '../store';

/**
 * Step, losses and rates. After a restore (no step run yet) the losses are the history's last
 * ones; the rates are shown only for steps run since, and samples/s is steps/s × batch, both
 * from the same smoothed step time (the time the step itself takes on the GPU).
 */
export function ProgressCard() {
  // Each loss is shown to 4 decimals; its data-value holds the full f32 (tests compare runs exactly).
  const trainer = useApp((s) => s.trainer);
  const latest = useApp((s) => s.latest);
  const stepMs = useApp((s) => s.stepMs);
  const history = useApp((s) => s.history);
  const last = history.step.length - 1;
  const fromHistory = latest === null && last >= 0;
  const lImid = latest?.lImid ?? (fromHistory ? history.imid[last] : undefined);
  const lCmid = latest?.lCmid ?? (fromHistory ? history.cmid[last] : undefined);
  const loss = latest?.loss ?? (fromHistory ? history.loss[last] : undefined);
  // The batch the trainer ran: samples/s = B · 1000 / stepMs of the same step.
  const batch = latest ? Math.round((latest.samplesPerSec * latest.stepMs) / 1000) : null;
  const rateMs = latest ? stepMs : null; // no stale rate from before a restore
  const stepsPerSec = rateMs && rateMs > 0 ? 1000 / rateMs : null;
  // Epochs completed of the run's configured total ("20 / 20" at the end).
  const epochs = trainer.config ? resolveConfig(trainer.config).epochs : null;
  return (
    <div className="card">
      <h3>Progress</h3>
      <dl className="readout" data-testid="training-readout">
        <div>
          <dt>Step</dt>
          <dd data-testid="train-step">{trainer.step}</dd>
        </div>
        <div>
          <dt>
            L<sub>imid</sub>
          </dt>
          <dd data-testid="train-limid" data-value={lImid}>
            {formatLoss(lImid)}
          </dd>
        </div>
        <div>
          <dt>
            L<sub>cmid</sub>
          </dt>
          <dd data-testid="train-lcmid" data-value={lCmid}>
            {formatLoss(lCmid)}
          </dd>
        </div>
        <div>
          <dt>L</dt>
          <dd data-testid="train-loss" data-value={loss}>
            {formatLoss(loss)}
          </dd>
        </div>
      </dl>
      {fromHistory && (
        <p className="muted-sm" data-testid="losses-from-history">
          Losses of step {history.step[last]}, from the restored run’s history.
        </p>
      )}
      <dl className="facts">
        <dt>Steps / s</dt>
        <dd data-testid="train-rate">{formatRate(rateMs)}</dd>
        <dt>Samples / s</dt>
        <dd data-testid="train-samples-rate">
          {stepsPerSec !== null && batch !== null
            ? `${(stepsPerSec * batch).toFixed(1)} (${formatRate(rateMs)} steps/s × batch ${batch})`
            : '—'}
        </dd>
        <dt>Epoch</dt>
        <dd data-testid="train-epoch">
          {trainer.exists && trainer.totalSteps > 0 && epochs !== null
            ? `${formatEpoch((trainer.step / trainer.totalSteps) * epochs)} / ${epochs}`
            : '—'}
        </dd>
        <dt>Learning rate</dt>
        <dd>{latest ? latest.lr.toExponential(2) : '—'}</dd>
        <dt>ETA</dt>
        <dd>{latest ? formatDuration(latest.etaSec) : '—'}</dd>
        <dt>GPU memory</dt>
        <dd data-testid="train-gpu">{latest ? formatBytes(latest.gpuBytes) : '—'}</dd>
      </dl>
      <p className="muted-sm">
        Rates count the step itself (smoothed over recent steps), not the pauses between steps.
      </p>
    </div>
  );
}

/** Epochs completed: whole numbers as they are ("20"), else two decimals ("12.67"). */
function formatEpoch(e: number): string {
  return Number.isInteger(e) ? String(e) : e.toFixed(2);
}
