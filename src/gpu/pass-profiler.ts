/**
 * Per-pass GPU timing for benchmarks: while a profiler is active, every pass recorded through
 * encodePass() gets timestamp writes, and stop() sums the durations by pass label. One profiler
 * at a time (process-wide); off, the normal case, it costs one check per pass.
 */
let active: PassProfiler | undefined;

export class PassProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private readonly readBuf: GPUBuffer;
  private labels: string[] = [];

  constructor(
    private readonly device: GPUDevice,
    readonly capacity = 2048,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    this.resolveBuf = device.createBuffer({
      size: 16 * capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readBuf = device.createBuffer({
      size: 16 * capacity,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  start(): void {
    this.labels = [];
    active = this;
  }

  /** Timestamp writes for the next pass, or undefined once the capacity is used up. */
  next(label: string): GPUComputePassTimestampWrites | undefined {
    if (this.labels.length >= this.capacity) return undefined;
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Stops profiling and returns milliseconds by label (after the recorded work was submitted). */
  async stop(): Promise<Map<string, { ms: number; passes: number }>> {
    if (active === this) active = undefined;
    const n = this.labels.length;
    const out = new Map<string, { ms: number; passes: number }>();
    if (n === 0) return out;
    const enc = this.device.createCommandEncoder();
    enc.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuf, 0);
    enc.copyBufferToBuffer(this.resolveBuf, 0, this.readBuf, 0, 16 * n);
    this.device.queue.submit([enc.finish()]);
    await this.readBuf.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(this.readBuf.getMappedRange().slice(0, 16 * n));
    this.readBuf.unmap();
    this.labels.forEach((label, i) => {
      const ms = Number(t[2 * i + 1]! - t[2 * i]!) / 1e6;
      const e = out.get(label) ?? { ms: 0, passes: 0 };
      e.ms += ms;
      e.passes++;
      out.set(label, e);
    });
    return out;
  }

  destroy(): void {
    if (active === this) active = undefined;
    this.querySet.destroy();
    this.resolveBuf.destroy();
    this.readBuf.destroy();
  }
}

/** The active profiler, if any. */
export function activeProfiler(): PassProfiler | undefined {
  return active;
}
