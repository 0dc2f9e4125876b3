/**
 * How often the Embeddings panel may refresh itself while training runs, so that refreshing
 * costs at most a given share of training throughput. A refresh runs beside training (its GPU
 * jobs between steps, its CPU work in slices), slowing training for the refresh's duration T at
 * most to a standstill; waiting (1 − share) / share · T after it ends bounds the lost share of
 * training time by `share` whatever the slowdown during T.
 */
export class RefreshBudget {
  private lastStart = Number.NEGATIVE_INFINITY;
  private lastEnd = Number.NEGATIVE_INFINITY;

  constructor(readonly share = 0.1) {}

  /** Records a refresh that ran from `start` to `end` (ms, one clock). */
  record(start: number, end: number): void {
    this.lastStart = start;
    this.lastEnd = end;
  }

  /** Earliest time the next automatic refresh may start. */
  nextAt(): number {
    if (!Number.isFinite(this.lastEnd)) return Number.NEGATIVE_INFINITY;
    const cost = Math.max(0, this.lastEnd - this.lastStart);
    return this.lastEnd + (cost * (1 - this.share)) / this.share;
  }

  allows(now: number): boolean {
    return now >= this.nextAt();
  }
}
