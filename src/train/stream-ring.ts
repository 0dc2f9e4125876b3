/**
 * The GPU side of a streamed set (one too large for the tab's budget, kept in an ObjectCache on
 * disk): two slots, each with room for 2B clouds and B views. A batch read from the cache goes
 * into the slot the last batch did not use, so the next step's batch can be read and uploaded
 * (prefetched) while the current step still runs on the GPU. The step then reads the slot through
 * the same cloud copies and the same 8-bit gather as a resident set, by slot-local indices: the
 * same bytes reach the same kernels, so a streamed run's numbers equal a resident run's.
 */
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { createViewStore8, type ViewStore8 } from '../gpu/view-store';
import type { ObjectCache, ObjectRecordShape } from '../data/object-cache';

/** Where a staged batch sits in the ring: the index of each object and view to read there. */
export interface StagedBatch {
  objects: number[];
  views: number[];
}

interface Pending {
  objects: readonly number[];
  views: readonly number[];
  slot: number;
  done: Promise<void>;
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** GPU bytes of a ring for batch B: two slots of 2B clouds ([points, 3] f32) and B RGBA8 views. */
export function streamRingBytes(batch: number, shape: ObjectRecordShape): number {
  return 2 * (2 * batch * shape.points * 12 + batch * shape.size * shape.size * 4);
}

export class StreamRing {
  /** [2 slots, 2B, pointsPerCloud, 3] f32. */
  readonly clouds: GPUBuffer;
  /** [2 slots · B] views of S×S, RGBA8. */
  readonly views: ViewStore8;
  private current = 1;
  private pending: Pending | undefined;
  /**
   * Objects and views read from the cache, prefetches used and wasted, the milliseconds spent
   * reading (readMs) and the part of it a step waited for (waitMs: not overlapped with the GPU).
   */
  reads = { clouds: 0, views: 0, prefetchHits: 0, prefetchMisses: 0, readMs: 0, waitMs: 0 };

  constructor(
    private readonly ctx: GpuContext,
    private readonly cache: ObjectCache,
    /** Objects per step: a slot holds 2B clouds (feature extraction reads 2B) and B views. */
    private readonly batch: number,
  ) {
    const { points, size } = cache.shape;
    this.clouds = createStorageBuffer(ctx, 2 * 2 * batch * points * 12, 'stream.clouds');
    try {
      this.views = createViewStore8(ctx, 2 * batch, size, 'stream.views');
    } catch (e) {
      this.clouds.destroy();
      throw e;
    }
  }

  /**
   * Reads these objects' clouds and views (global view indices object·V + v; fewer views than
   * objects, or none, is fine) into the other slot. Resolves once they are written to the queue.
   */
  private load(objects: readonly number[], views: readonly number[], slot: number): Promise<void> {
    const B = this.batch;
    if (objects.length > 2 * B || views.length > B)
      throw new RangeError(
        `stream ring: ${objects.length} clouds and ${views.length} views for a batch of ${B}`,
      );
    const V = this.cache.shape.views;
    const cloudBytes = this.cache.shape.points * 12;
    const q = this.ctx.device.queue;
    return (async () => {
      const t0 = performance.now();
      const clouds = await Promise.all(objects.map((o) => this.cache.readCloud(o)));
      const pics = await Promise.all(views.map((v) => this.cache.readView(Math.floor(v / V), v % V)));
      // The queue orders these writes after work already submitted, so a step still reading this
      // slot from an earlier batch sees its own data.
      for (const [i, c] of clouds.entries()) q.writeBuffer(this.clouds, (slot * 2 * B + i) * cloudBytes, c);
      for (const [i, p] of pics.entries()) this.views.write(slot * B + i, p);
      this.reads.clouds += clouds.length;
      this.reads.views += pics.length;
      this.reads.readMs += performance.now() - t0;
    })();
  }

  /** Starts reading the batch expected next into the free slot (the step that wants it calls stage). */
  prefetch(objects: readonly number[], views: readonly number[]): void {
    if (this.pending) return;
    const slot = 1 - this.current;
    const done = this.load(objects, views, slot);
    done.catch(() => undefined); // stage() sees the error
    this.pending = { objects: [...objects], views: [...views], slot, done };
  }

  /**
   * Makes these objects and views readable on the GPU and returns their slot-local indices:
   * the prefetched batch when it is this one, else read now into the free slot.
   */
  async stage(objects: readonly number[], views: readonly number[]): Promise<StagedBatch> {
    const p = this.pending;
    this.pending = undefined;
    const t0 = performance.now();
    let slot: number;
    if (p) {
      // Wait for it even when unused: it writes to the slot this batch would take.
      await p.done;
      if (same(p.objects, objects) && same(p.views, views)) {
        this.reads.prefetchHits++;
        slot = p.slot;
      } else {
        this.reads.prefetchMisses++;
        slot = 1 - this.current;
        await this.load(objects, views, slot);
      }
    } else {
      slot = 1 - this.current;
      await this.load(objects, views, slot);
    }
    this.current = slot;
    this.reads.waitMs += performance.now() - t0;
    const B = this.batch;
    return { objects: objects.map((_, i) => slot * 2 * B + i), views: views.map((_, i) => slot * B + i) };
  }

  destroy(): void {
    this.clouds.destroy();
    this.views.destroy();
  }
}
