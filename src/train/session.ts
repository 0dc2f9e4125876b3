import type { GpuContext } from '../gpu/context';
import type { GpuDeviceLostError } from '../gpu/errors';
import {
  appendEval,
  appendMetrics,
  EMPTY_HISTORY,
  historyUpTo,
  type MetricsHistory,
  type SimilarityEval,
} from './metrics-history';
import { FeatureSnapshot } from './feature-snapshot';
import { Trainer } from './trainer';
import type { StepMetrics, TrainConfig, TrainFault } from './trainer-api';
import type { TrainingData } from './training-data';

/** What a host (the Web Worker, the CLI, a test) provides to a training session. */
export interface SessionHost {
  /** Acquire a GPU device (again, after a loss). */
  acquire(): Promise<GpuContext>;
  /** Build the dataset on a device. */
  loadData(ctx: GpuContext): Promise<TrainingData>;
  onMetrics(m: StepMetrics): void;
  onFault(f: TrainFault): void;
  onState(s: { running: boolean; step: number }): void;
  /** Stores an autosaved checkpoint (IndexedDB in the browser, a file in the CLI). */
  persist?(bytes: Uint8Array, step: number): Promise<void>;
  /** Lets the host process messages between steps (the worker yields to its event loop). */
  breathe?(): Promise<void>;
}

/**
 * Run / pause / single step / reset over a Trainer, with autosaved checkpoints and recovery:
 * a non-finite step restores the last good checkpoint and pauses; a lost device is re-acquired
 * and training continues from the last checkpoint. Host-independent.
 */
export class TrainingSession {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastCheckpoint: Uint8Array | undefined;
  /** The curves so far; written into every checkpoint and read back by load(). */
  private curves: MetricsHistory = EMPTY_HISTORY;

  private constructor(
    private readonly host: SessionHost,
    private ctx: GpuContext,
    private data: TrainingData,
    public trainer: Trainer,
  ) {
    this.watchDevice();
  }

  /** `config` may depend on the data (the CLI's --steps sets the epochs from the steps per epoch). */
  static async start(
    host: SessionHost,
    config: TrainConfig | ((data: TrainingData) => TrainConfig),
  ): Promise<TrainingSession> {
    const ctx = await host.acquire();
    const data = await host.loadData(ctx);
    const trainer = await Trainer.create(ctx, typeof config === 'function' ? config(data) : config, data);
    return new TrainingSession(host, ctx, data, trainer);
  }

  /** The run's settings (the epochs change with continueTo). */
  get config(): TrainConfig {
    return this.trainer.config;
  }

  /** Steps of the configured epochs. */
  get totalSteps(): number {
    return this.trainer.totalSteps;
  }

  /** Whether the run has trained all its configured epochs. */
  get finished(): boolean {
    return this.trainer.step >= this.trainer.totalSteps;
  }

  /** Trains on to `epochs` in all (see Trainer.continueTo); call while paused, then run(). */
  continueTo(epochs: number): void {
    if (this.running) throw new Error('pause training before changing its epochs');
    this.trainer.continueTo(epochs);
    this.host.onState({ running: false, step: this.trainer.step });
  }

  get isRunning(): boolean {
    return this.running;
  }

  get step(): number {
    return this.trainer.step;
  }

  /** The curves up to the current step (restored with a checkpoint that carries them). */
  get history(): MetricsHistory {
    return this.curves;
  }

  /** Adds a similarity evaluation at the current step to the history (the CLI's --eval-every). */
  recordEval(e: Omit<SimilarityEval, 'step'> & { step?: number }): void {
    this.curves = appendEval(this.curves, { ...e, step: e.step ?? this.trainer.step });
  }

  /**
   * Trains until paused, or until `untilStep` (default: the configured epochs); the last step of
   * the run is always autosaved, whatever the autosave interval.
   */
  run(untilStep = this.trainer.totalSteps): Promise<void> {
    if (this.running) return this.loop ?? Promise.resolve();
    this.running = true;
    this.host.onState({ running: true, step: this.trainer.step });
    this.loop = (async () => {
      try {
        let stepped = false;
        while (this.running && this.trainer.step < untilStep) {
          const ok = await this.stepOnceInternal();
          if (!ok) break;
          stepped = true;
          await this.host.breathe?.();
        }
        if (stepped && this.finished && this.autosavedStep !== this.trainer.step) await this.autosave();
      } finally {
        this.running = false;
        this.host.onState({ running: false, step: this.trainer.step });
      }
    })();
    return this.loop;
  }

  /** Stops after the current step and autosaves. */
  async pause(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.autosavedStep !== this.trainer.step) await this.autosave();
  }

  /** One step while paused. */
  async stepOnce(): Promise<StepMetrics | undefined> {
    if (this.running) return undefined;
    let metrics: StepMetrics | undefined;
    const off = this.captureMetrics((m) => {
      metrics = m;
    });
    await this.stepOnceInternal();
    off();
    this.host.onState({ running: false, step: this.trainer.step });
    return metrics;
  }

  private metricsTaps = new Set<(m: StepMetrics) => void>();
  private captureMetrics(fn: (m: StepMetrics) => void) {
    this.metricsTaps.add(fn);
    return () => this.metricsTaps.delete(fn);
  }

  private async stepOnceInternal(): Promise<boolean> {
    if (this.lost) await this.recoverFromLoss();
    let r: Awaited<ReturnType<Trainer['trainStep']>>;
    try {
      r = await this.trainer.trainStep();
    } catch (e) {
      // A step that fails because the device went away: the loss event arrives asynchronously.
      await new Promise((res) => setTimeout(res, 0));
      if (this.lost) {
        await this.recoverFromLoss();
        return true;
      }
      this.host.onFault({ kind: 'error', message: (e as Error).message });
      return false;
    }
    if (this.lost) {
      // The readback may complete with garbage after a loss; do not trust this step.
      await this.recoverFromLoss();
      return true;
    }
    if (!r.ok) {
      this.host.onFault(r.fault);
      return false; // stop: the user decides what to change
    }
    this.curves = appendMetrics(this.curves, r.metrics);
    this.host.onMetrics(r.metrics);
    for (const t of this.metricsTaps) t(r.metrics);
    const every = this.config.checkpointEvery ?? 0;
    if (every > 0 && r.metrics.step % every === 0) await this.autosave();
    return true;
  }

  /** Saves a checkpoint (kept as the last good one and handed to the host to persist). */
  async checkpoint(): Promise<Uint8Array> {
    const bytes = await this.trainer.saveCheckpoint(historyUpTo(this.curves, this.trainer.step));
    this.lastCheckpoint = bytes;
    this.checkpointStep = this.trainer.step;
    return bytes;
  }

  /** The step of the last checkpoint written or loaded (0: none); later steps are unsaved. */
  get savedStep(): number {
    return Math.max(0, this.checkpointStep);
  }
  private checkpointStep = -1;
  /** The step of the last autosave (so a run's end and a pause right after it save once). */
  private autosavedStep = -1;

  private async autosave(): Promise<void> {
    if (this.trainer.step === 0) return;
    const bytes = await this.checkpoint();
    this.autosavedStep = this.trainer.step;
    await this.host.persist?.(bytes, this.trainer.step);
  }

  async load(bytes: Uint8Array): Promise<void> {
    if (this.running) await this.pause();
    const history = await this.trainer.loadCheckpoint(bytes);
    // A checkpoint written before histories were saved restores the weights with empty curves.
    this.curves = history ? historyUpTo(history, this.trainer.step) : EMPTY_HISTORY;
    this.lastCheckpoint = bytes;
    this.checkpointStep = this.trainer.step;
    this.host.onState({ running: false, step: this.trainer.step });
  }

  async reset(): Promise<void> {
    if (this.running) await this.pause();
    this.trainer.reset();
    this.lastCheckpoint = undefined;
    this.checkpointStep = -1;
    this.autosavedStep = -1;
    this.curves = EMPTY_HISTORY;
    this.host.onState({ running: false, step: 0 });
  }

  private lost: GpuDeviceLostError | undefined;

  private watchDevice(): void {
    const ctx = this.ctx;
    void ctx.lost.then((lost) => {
      if (!lost.intentional && ctx === this.ctx) this.lost = lost;
    });
  }

  /** After a device loss: a new device, the dataset again, and the last checkpoint. */
  private async recoverFromLoss(): Promise<void> {
    const lost = this.lost;
    this.lost = undefined;
    const ctx = await this.host.acquire();
    const data = await this.host.loadData(ctx);
    const trainer = await Trainer.create(ctx, this.config, data);
    if (this.lastCheckpoint) await trainer.loadCheckpoint(this.lastCheckpoint);
    this.trainer.dispose(); // buffers of the lost device: freeing them is harmless
    this.data.destroy();
    this.ctx = ctx;
    this.data = data;
    this.trainer = trainer;
    this.watchDevice();
    this.host.onFault({
      kind: 'device-lost',
      message:
        `the GPU device was lost (${lost?.message ?? 'device lost'}); a new device was acquired and training ` +
        `continues from ${this.lastCheckpoint ? `the checkpoint of step ${trainer.step}` : 'step 0 (no checkpoint yet)'}`,
      restoredStep: trainer.step,
    });
  }

  /**
   * A randomly initialised trainer of the same config on the same data (the few-shot baseline
   * against the trained model): its init is the run's own (the run's seed) unless `seed` names
   * another; the caller disposes it.
   */
  freshTrainer(seed?: number): Promise<Trainer> {
    return Trainer.create(this.ctx, seed === undefined ? this.config : { ...this.config, seed }, this.data);
  }

  /**
   * A copy of the current point encoder (weights, BatchNorm statistics) and step, for analyses
   * that must read features of one step while training goes on: an eval-only FeatureSnapshot
   * (no gradients, no optimiser state, no image encoder) for DGCNN runs, a whole trainer for a
   * dgcnn_seg run. The caller disposes it. Call between two steps.
   */
  async snapshotEncoder(): Promise<FeatureSnapshot | Trainer> {
    if (this.trainer.resolved.encoder === 'dgcnn') return FeatureSnapshot.of(this.trainer);
    const copy = await Trainer.create(this.ctx, this.config, this.data);
    copy.point.params.upload(await this.trainer.point.params.download());
    copy.image.params.upload(await this.trainer.image.params.download());
    copy.step = this.trainer.step;
    return copy;
  }

  dispose(): void {
    this.running = false;
    this.trainer.dispose();
    this.data.destroy();
  }
}
