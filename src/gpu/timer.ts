import type { GpuContext } from './context';

export interface Timing {
  ms: number;
  /** "timestamp": GPU time between two timestamps; "wall": submit to onSubmittedWorkDone. */
  method: 'timestamp' | 'wall';
}

/**
 * Times GPU work. With the timestamp-query feature it brackets the recorded passes with two
 * empty passes that write timestamps (writes inside passes are not core WebGPU), so the figure
 * excludes JS and queue latency. Without it, it falls back to wall time around submit-and-wait.
 */
export class GpuTimer {
  private readonly querySet?: GPUQuerySet;
  private readonly resolve?: GPUBuffer;
  private readonly staging?: GPUBuffer;

  constructor(
    private readonly ctx: GpuContext,
    readonly useTimestamps = ctx.hasTimestamps,
  ) {
    if (useTimestamps) {
      this.querySet = ctx.device.createQuerySet({ type: 'timestamp', count: 2 });
      this.resolve = ctx.device.createBuffer({
        size: 16,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      });
      this.staging = ctx.device.createBuffer({
        size: 16,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    }
  }

  async time(encode: (enc: GPUCommandEncoder) => void): Promise<Timing> {
    const { device } = this.ctx;
    const enc = device.createCommandEncoder();
    if (this.querySet && this.resolve && this.staging) {
      enc
        .beginComputePass({ timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: 0 } })
        .end();
      encode(enc);
      enc.beginComputePass({ timestampWrites: { querySet: this.querySet, endOfPassWriteIndex: 1 } }).end();
      enc.resolveQuerySet(this.querySet, 0, 2, this.resolve, 0);
      enc.copyBufferToBuffer(this.resolve, 0, this.staging, 0, 16);
      device.queue.submit([enc.finish()]);
      await this.staging.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(this.staging.getMappedRange().slice(0));
      this.staging.unmap();
      const ns = Number(t[1]! - t[0]!);
      // Some adapters quantise or zero timestamps; fall back to wall time when the value is useless.
      if (ns > 0) return { ms: ns / 1e6, method: 'timestamp' };
      return this.wall(encode);
    }
    const t0 = performance.now();
    encode(enc);
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    return { ms: performance.now() - t0, method: 'wall' };
  }

  private async wall(encode: (enc: GPUCommandEncoder) => void): Promise<Timing> {
    const enc = this.ctx.device.createCommandEncoder();
    const t0 = performance.now();
    encode(enc);
    this.ctx.device.queue.submit([enc.finish()]);
    await this.ctx.device.queue.onSubmittedWorkDone();
    return { ms: performance.now() - t0, method: 'wall' };
  }

  destroy(): void {
    this.querySet?.destroy();
    this.resolve?.destroy();
    this.staging?.destroy();
  }
}

/** Median of `runs` timings after `warmup` untimed runs. */
export async function medianTime(
  timer: GpuTimer,
  encode: (enc: GPUCommandEncoder) => void,
  runs = 5,
  warmup = 1,
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await timer.time(encode);
  const ts: Timing[] = [];
  for (let i = 0; i < runs; i++) ts.push(await timer.time(encode));
  ts.sort((a, b) => a.ms - b.ms);
  return ts[Math.floor(ts.length / 2)]!;
}
