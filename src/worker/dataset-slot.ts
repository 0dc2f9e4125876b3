/**
 * The worker's sample set across regenerations. Two rules keep GPU work off freed buffers:
 * generations run one at a time (a page that asks twice, e.g. React's double effect in
 * development, gets two sets built in turn, not interleaved), and a replaced set is destroyed
 * only after every reader of it has finished and the queue has drained. Requests that need the
 * set (Train, Step, restoring a checkpoint) wait for generations in flight instead of failing.
 */
import type { HostDataset } from './host-dataset';

export const NO_DATASET = 'No dataset yet: generate the sample set in the Data panel first.';

export class DatasetSlot {
  private set: HostDataset | undefined;
  /** Generations queued or running, in order. */
  private chain: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  /** Readers of a set (view readbacks) still running. */
  private readers = new Map<HostDataset, number>();
  private idle = new Map<HostDataset, (() => void)[]>();

  /** Waits for the GPU queue to finish work already submitted. */
  constructor(private readonly drained: () => Promise<void>) {}

  get current(): HostDataset | undefined {
    return this.set;
  }

  get generating(): boolean {
    return this.inFlight > 0;
  }

  /** The set once no generation is queued or running (undefined when there is none). */
  async ready(): Promise<HostDataset | undefined> {
    while (this.inFlight > 0) await this.chain.catch(() => undefined);
    return this.set;
  }

  /** The set once no generation is queued or running; says what to do when there is none. */
  async required(): Promise<HostDataset> {
    const ds = await this.ready();
    if (!ds) throw new Error(NO_DATASET);
    return ds;
  }

  /**
   * Builds a set after the generations before it and makes it current. `mayReplace` is asked
   * twice, before building and before swapping (a trainer may have been built on the current set
   * meanwhile): when it throws, the new set is destroyed and the current one stays.
   */
  replace(build: () => Promise<HostDataset>, mayReplace: () => void): Promise<HostDataset> {
    this.inFlight++;
    const job = this.chain
      .catch(() => undefined)
      .then(async () => {
        mayReplace();
        const fresh = await build();
        try {
          mayReplace();
        } catch (e) {
          fresh.dispose(); // nothing has seen it yet
          throw e;
        }
        const old = this.set;
        this.set = fresh;
        if (old) void this.retire(old);
        return fresh;
      })
      .finally(() => {
        this.inFlight--;
      });
    this.chain = job;
    return job;
  }

  /** Runs `fn` as a reader of `ds`: the set is not destroyed before `fn` settles. */
  async read<T>(ds: HostDataset, fn: () => Promise<T>): Promise<T> {
    this.readers.set(ds, (this.readers.get(ds) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const left = (this.readers.get(ds) ?? 1) - 1;
      if (left > 0) this.readers.set(ds, left);
      else {
        this.readers.delete(ds);
        for (const wake of this.idle.get(ds) ?? []) wake();
        this.idle.delete(ds);
      }
    }
  }

  /** Destroys a replaced set once its readers are done and the GPU has run what used it. */
  private async retire(ds: HostDataset): Promise<void> {
    if (this.readers.has(ds)) {
      await new Promise<void>((wake) => this.idle.set(ds, [...(this.idle.get(ds) ?? []), wake]));
    }
    await this.drained();
    ds.dispose();
  }
}
