import type { GpuContext } from '../gpu/context';
import type { TrainConfig } from '../train/trainer-api';
import type { GpuQueue } from './gpu-queue';
import type { HostDataset } from './host-dataset';
import type { Post } from './protocol';
import { type Run, startRun } from './training-host';

type Progress = (task: string, done: number, total: number) => void;

/**
 * The worker's one training run, built on demand from a config and the current sample set. Run,
 * Step and a restore arriving together share one build, and the set a run is built (or being
 * built) on is claimed, so a regeneration cannot free its buffers underneath it.
 */
export class RunSlot {
  current: Run | undefined;
  private building: Promise<Run> | undefined;
  private claimed: HostDataset | undefined;

  constructor(
    private readonly ctx: GpuContext,
    private readonly post: Post,
    private readonly gpu: GpuQueue,
    /** The sample set once any generation in flight has finished; `waiting` says whether one is. */
    private readonly dataset: { ready(): Promise<HostDataset>; waiting(): boolean },
  ) {}

  /** A run exists or is being built: its sample set must not be replaced. */
  get inUse(): boolean {
    return !!this.current || !!this.claimed;
  }

  async ensure(config: TrainConfig, progress: Progress): Promise<Run> {
    if (this.current) return this.current;
    if (this.building) return this.building;
    const build = async () => {
      if (this.dataset.waiting()) progress('Waiting for the sample set', 0, 0);
      const ds = await this.dataset.ready();
      this.claimed = ds;
      progress('Building the model', 0, 1);
      try {
        this.current = await this.gpu.serial(() => startRun(this.ctx, config, ds, this.post, this.gpu));
      } catch (e) {
        this.claimed = undefined;
        throw e;
      }
      progress('Building the model', 1, 1);
      return this.current;
    };
    this.building = build();
    try {
      return await this.building;
    } finally {
      this.building = undefined;
    }
  }

  /** Pauses (autosaving) and drops the run, between two GPU jobs. */
  async reset(): Promise<void> {
    const r = this.current;
    if (r?.session.isRunning) await r.session.pause();
    await this.gpu.serial(async () => {
      r?.session.dispose();
      this.current = undefined;
      this.claimed = undefined;
    });
  }
}
