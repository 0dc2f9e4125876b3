/**
 * One queue for the worker's GPU work. Trainer operations run in order (`serial`); evaluation
 * jobs never interleave with a training step (`exclusive`): while training runs they wait for
 * the gap between two steps (the trainer's breathe hook drains them), otherwise they go through
 * the queue. A gap runs only the jobs waiting when it began: an analysis that queues its next
 * slice when one ends (embedObjects, datasetFeatures) gets one slice per gap, so training goes on
 * between its slices instead of standing still for the whole analysis.
 */
export class GpuQueue {
  private queue: Promise<unknown> = Promise.resolve();
  private betweenSteps: (() => Promise<void>)[] = [];

  constructor(private readonly training: () => boolean) {}

  /** Runs `fn` after every operation queued before it. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Runs `fn` when no step is in flight: between two steps while training, else in the queue. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.training()) return this.serial(fn);
    return new Promise<T>((resolve, reject) => {
      this.betweenSteps.push(() => fn().then(resolve, reject));
    });
  }

  /**
   * Runs the jobs waiting for a gap (called between steps, and when training stops); jobs queued
   * while these run wait for the next gap (when training has stopped, `exclusive` no longer
   * queues here: it goes through `serial`).
   */
  async drain(): Promise<void> {
    for (const job of this.betweenSteps.splice(0)) await job();
  }
}
