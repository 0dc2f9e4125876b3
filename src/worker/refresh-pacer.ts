import type { RefreshBudgetState } from './protocol';

/**
 * Keeps the Embeddings panel's automatic refresh to at most `share` of the worker's time while
 * training runs, by accounting rather than by a guessed period. The worker's time splits into
 * training (from the end of one gap between steps to the start of the next, less the refresh's
 * own CPU work that ran meanwhile), refresh work (its GPU slices in the gaps, its projection on
 * the worker) and other gaps' work (checkpoints, other analyses: neither). Every ms of refresh
 * work goes on a debt; every ms of training pays off `share / (1 − share)` ms of it. A paced
 * refresh may start only when the debt is paid, and once started its slices run in consecutive
 * gaps (one picture from consecutive steps) and are all charged. So over any stretch of training
 * the refresh work R and the training T satisfy R ≤ share/(1 − share)·T + C, with C the cost of
 * the one refresh that may have started on credit at its end: the share R / (R + T) never
 * exceeds `share` by more than C / (R + T), and tends to `share` or less over a run.
 */
export class RefreshPacer {
  /** Refresh ms not yet paid for by training. */
  private debt = 0;
  /** When the current stretch of training began (the end of the last gap); undefined: not training. */
  private stretchStart: number | undefined;
  /** Refresh CPU work charged during the current stretch (it is not training time). */
  private chargedInStretch = 0;
  /** Since the pacer was made: training ms counted and refresh ms charged while training ran. */
  readonly totals = { trainingMs: 0, refreshMs: 0 };

  constructor(
    readonly share = REFRESH_SHARE,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(share > 0 && share < 1)) throw new RangeError(`the refresh share must lie in (0, 1), not ${share}`);
  }

  /** Whether a paced refresh may start now (its debt is paid). */
  ready(): boolean {
    return this.debt <= 0;
  }

  /** Refresh ms still to be paid off by training (0 when a refresh may start). */
  get owed(): number {
    return Math.max(0, this.debt);
  }

  /** A gap between two steps begins: the stretch since the last gap was training. */
  gapStart(): void {
    if (this.stretchStart === undefined) return;
    const training = Math.max(0, this.now() - this.stretchStart - this.chargedInStretch);
    this.totals.trainingMs += training;
    this.debt = Math.max(0, this.debt - (training * this.share) / (1 - this.share));
    this.stretchStart = undefined;
  }

  /** The gap ends: training resumes. */
  gapEnd(): void {
    this.stretchStart = this.now();
    this.chargedInStretch = 0;
  }

  /** Training stopped: no stretch runs until the next gap ends (the debt stays). */
  stopped(): void {
    this.stretchStart = undefined;
    this.chargedInStretch = 0;
  }

  /**
   * Charges `ms` of refresh work done while training runs: in a gap, or (`inGap` false) on the
   * worker's thread during a stretch of training, whose time it then was not.
   */
  charge(ms: number, inGap: boolean): void {
    const t = Math.max(0, ms);
    this.debt += t;
    this.totals.refreshMs += t;
    if (!inGap && this.stretchStart !== undefined) this.chargedInStretch += t;
  }

  /** What the page is told after each step. */
  state(): RefreshBudgetState {
    return { ready: this.ready(), ...this.totals, share: this.share };
  }

  /** Refresh ms over refresh plus training ms so far. */
  shareSoFar(): number {
    const { trainingMs, refreshMs } = this.totals;
    return trainingMs + refreshMs > 0 ? refreshMs / (trainingMs + refreshMs) : 0;
  }
}

/**
 * The share the worker paces refreshes to: under the tenth, leaving room for what it
 * cannot count (the page drawing the new picture, the message carrying it).
 */
export const REFRESH_SHARE = 0.08;
