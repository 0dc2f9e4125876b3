import { useEffect, useRef } from 'react';
import type { Thumb } from '../../worker/protocol';
import type { Outcome, Task } from '../store';

/** Progress of long work: a bar when the total is known, an indeterminate one otherwise. */
export function Progress({ task }: { task: Task }) {
  const known = task.total > 0;
  return (
    <div className="progress" aria-live="polite">
      <span className="progress-label">
        {task.label}
        {known ? ` — ${task.done} / ${task.total}` : '…'}
      </span>
      <progress
        aria-label={task.label}
        value={known ? task.done : undefined}
        max={known ? task.total : undefined}
      />
    </div>
  );
}

/** What a panel shows while its engine piece is missing: says so plainly, invents nothing. */
export function NotAvailable({ what, message }: { what: string; message?: string }) {
  return (
    <div className="not-available" data-testid="not-available">
      <strong>{what}: not available yet.</strong>{' '}
      {message ?? 'The engine piece behind this panel is not in this build yet.'}
    </div>
  );
}

/** Renders the non-result states of an Outcome; returns null when there is a value to show. */
export function OutcomeNote<T>({ outcome, what }: { outcome: Outcome<T>; what: string }) {
  if (outcome.kind === 'busy') return <Progress task={outcome.task} />;
  if (outcome.kind === 'not-available') return <NotAvailable what={what} message={outcome.message} />;
  if (outcome.kind === 'error')
    return (
      <p className="error-note" role="alert">
        {what} failed: {outcome.message}
      </p>
    );
  return null;
}

/** An RGBA8 picture drawn at `display` pixels (pixelated when enlarged, like the model sees it). */
export function RgbaImage({ thumb, display, label }: { thumb: Thumb; display: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const g = ref.current?.getContext('2d');
    if (!g) return;
    const data = new ImageData(new Uint8ClampedArray(thumb.rgba), thumb.size, thumb.size);
    g.putImageData(data, 0, 0);
  }, [thumb]);
  return (
    <canvas
      ref={ref}
      className="rgba-image"
      width={thumb.size}
      height={thumb.size}
      style={{ width: display, height: display }}
      role="img"
      aria-label={label}
    />
  );
}
