import { RefreshPacer } from './refresh-pacer';

/** What a job between two steps is, for the refresh pacer (refresh-pacer.ts). */
export type GapJobKind =
  /** Another analysis, a checkpoint: runs in the next gap, not charged. */
  | 'other'
  /** A paced refresh's first slice: runs in the first gap where the pacer is ready; charged. */
  | 'refresh-start'
  /** A refresh's later slice: runs in the next gap; charged. */
  | 'refresh';

interface GapJob {
  kind: GapJobKind;
  run: () => Promise<void>;
}

/**
 * One queue for the worker's GPU work. Trainer operations run in order (`serial`); evaluation
 * jobs never interleave with a training step (`exclusive`): while training runs they wait for
 * the gap between two steps (the trainer's breathe hook drains them), otherwise they go through
 * the queue. A gap runs only the jobs waiting when it began: an analysis that queues its next
 * slice when one ends (embedObjects, datasetFeatures) gets one slice per gap, so training goes on
 * between its slices instead of standing still for the whole analysis. The gaps also clock the
 * refresh pacer: the time between them is training, a refresh's slices in them are charged, and
 * a paced refresh starts only in a gap where the pacer is ready.
 */
export class GpuQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private betweenSteps: GapJob[] = [];

  constructor(
    private readonly training: () => boolean,
    readonly pacer = new RefreshPacer(),
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs `fn` after every operation queued before it. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * Runs `fn` when no step is in flight: between two steps while training (a refresh's slices
   * paced and charged, see GapJobKind), else in the queue (nothing to pace: no training).
   */
  exclusive<T>(fn: () => Promise<T>, kind: GapJobKind = 'other'): Promise<T> {
    if (!this.training()) return this.serial(fn);
    return new Promise<T>((resolve, reject) => {
      this.betweenSteps.push({ kind, run: () => fn().then(resolve, reject) });
    });
  }

  /**
   * Runs the jobs waiting for a gap (called between steps, and when training stops); jobs queued
   * while these run wait for the next gap (when training has stopped, `exclusive` no longer
   * queues here: it goes through `serial`). While training, a paced refresh whose turn has not
   * come waits, in its place, for a later gap.
   */
  async drain(): Promise<void> {
    const training = this.training();
    if (training) this.pacer.gapStart();
    else this.pacer.stopped();
    const waiting = this.betweenSteps.splice(0);
    const deferred: GapJob[] = [];
    for (const job of waiting) {
      if (training && job.kind === 'refresh-start' && !this.pacer.ready()) {
        deferred.push(job);
        continue;
      }
      const t0 = this.now();
      await job.run();
      if (training && job.kind !== 'other') this.pacer.charge(this.now() - t0, true);
    }
    this.betweenSteps.unshift(...deferred);
    if (training) this.pacer.gapEnd();
  }
}
