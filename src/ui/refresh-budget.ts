/**
 * How often the Embeddings panel may refresh itself while training runs, so that refreshing
 * costs at most a given share of training throughput. A refresh runs beside training (its GPU
 * jobs one per gap between two steps, its projection on the worker), taking `cost` of training's
 * time over its duration; waiting (1 − share) / share · cost after it ends makes each period
 * (refresh plus wait) at least cost / share long, which bounds the lost share by `share`. The
 * cost is what the worker measured (EmbeddingsReply.costMs); without one, the refresh's whole
 * duration (training at a standstill throughout: the most it can cost).
 */
export class RefreshBudget {
  private lastEnd = Number.NEGATIVE_INFINITY;
  private lastCost = 0;

  constructor(readonly share = 0.1) {}

  /** Records a refresh that ran from `start` to `end` (ms, one clock) and took `cost` ms of training's time. */
  record(start: number, end: number, cost = end - start): void {
    this.lastEnd = end;
    this.lastCost = Math.min(Math.max(0, cost), Math.max(0, end - start));
  }

  /** Earliest time the next automatic refresh may start. */
  nextAt(): number {
    if (!Number.isFinite(this.lastEnd)) return Number.NEGATIVE_INFINITY;
    return this.lastEnd + (this.lastCost * (1 - this.share)) / this.share;
  }

  allows(now: number): boolean {
    return now >= this.nextAt();
  }
}
