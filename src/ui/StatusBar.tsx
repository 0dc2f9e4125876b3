import { formatBytes } from '../gpu/errors';
import { formatLoss, formatRate } from './format';
import { isFinished, useApp } from './store';

/** One line, visible from every panel: what the trainer is doing and how fast. */
export function StatusBar() {
  const trainer = useApp((s) => s.trainer);
  const latest = useApp((s) => s.latest);
  const stepMs = useApp((s) => s.stepMs);
  const task = useApp((s) => s.trainTask);
  const url = useApp((s) => s.url);
  const finished = useApp(isFinished);
  const state = trainer.running
    ? 'training'
    : task
      ? 'busy'
      : finished
        ? 'finished'
        : trainer.exists
          ? 'paused'
          : 'idle';
  const stateText = {
    training: 'Training',
    busy: task?.label ?? 'Working',
    finished: `Finished (step ${trainer.step} of ${trainer.totalSteps})`,
    paused: 'Paused',
    idle: 'Not started',
  }[state];
  return (
    <div className="status-bar" role="status" aria-label="Training status" data-state={state}>
      <span className="status-state">
        <i className={`dot ${state}`} aria-hidden="true" />
        {stateText}
      </span>
      <span>
        step <b data-testid="status-step">{trainer.step}</b>
      </span>
      <span>
        L <b data-testid="status-loss">{formatLoss(latest?.loss)}</b>
      </span>
      <span className="muted-sm">
        L<sub>imid</sub> {formatLoss(latest?.lImid)} · L<sub>cmid</sub> {formatLoss(latest?.lCmid)}
      </span>
      <span>
        <b data-testid="status-rate">{trainer.running ? formatRate(stepMs) : '—'}</b> steps/s
      </span>
      {latest && latest.gpuBytes > 0 && <span className="muted-sm">GPU {formatBytes(latest.gpuBytes)}</span>}
      <span className="muted-sm">
        {url.preset} · seed {url.seed}
      </span>
    </div>
  );
}
