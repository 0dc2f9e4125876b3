/**
 * Views kept on the GPU as 8-bit RGBA (4 bytes a pixel instead of 12 as f32 RGB), in as many
 * buffers ("shards") as the adapter's largest storage binding needs; a shard holds whole views.
 * The training step converts the views it uses to f32 in a shader (src/kernels/view_gather_u8.ts).
 */
import { createStorageBuffer, readBufferBytes } from './buffers';
import type { GpuContext } from './context';
import { GpuLimitError } from './errors';
import { maxBufferBytes } from './limits';

export interface ViewStore8 {
  /** Views held, each S×S. */
  readonly views: number;
  readonly size: number;
  /** [viewsPerShard, S·S] u32 RGBA8 each; the last may hold fewer. */
  readonly shards: readonly GPUBuffer[];
  readonly viewsPerShard: number;
  /** Writes view `view` from RGBA8 bytes [S·S·4]. */
  write(view: number, rgba: Uint8Array): void;
  /** Reads view `view` back as RGBA8 bytes [S·S·4]. */
  read(view: number): Promise<Uint8Array>;
  destroy(): void;
}

/** Bytes of `views` views of S×S as RGBA8. */
export function viewStoreBytes(views: number, size: number): number {
  return views * size * size * 4;
}

/** Views per shard under a binding limit of `cap` bytes. */
export function viewsPerShard(size: number, cap: number): number {
  return Math.floor(cap / viewStoreBytes(1, size));
}

/** A store of `views` S×S views; `cap` (bytes a shard may hold) defaults to the adapter's limit. */
export function createViewStore8(
  ctx: GpuContext,
  views: number,
  size: number,
  label = 'views8',
  cap = maxBufferBytes(ctx.limits),
): ViewStore8 {
  const viewBytes = viewStoreBytes(1, size);
  const per = viewsPerShard(size, cap);
  if (per < 1)
    throw new GpuLimitError('maxStorageBufferBindingSize', viewBytes, cap, 'the view size', 'one view');
  const shards: GPUBuffer[] = [];
  try {
    for (let first = 0; first < Math.max(views, 1); first += per) {
      const n = Math.min(per, Math.max(views, 1) - first);
      shards.push(createStorageBuffer(ctx, n * viewBytes, `${label}.shard${shards.length}`));
    }
  } catch (e) {
    for (const s of shards) s.destroy();
    throw e;
  }
  const at = (view: number) => {
    if (!(view >= 0 && view < views)) throw new RangeError(`view ${view} outside the store (${views} views)`);
    return { shard: shards[Math.floor(view / per)]!, offset: (view % per) * viewBytes };
  };
  return {
    views,
    size,
    shards,
    viewsPerShard: per,
    write(view, rgba) {
      if (rgba.length !== viewBytes)
        throw new RangeError(`view of ${rgba.length} bytes, expected ${viewBytes}`);
      const { shard, offset } = at(view);
      ctx.device.queue.writeBuffer(shard, offset, rgba);
    },
    async read(view) {
      const { shard, offset } = at(view);
      return new Uint8Array(await readBufferBytes(ctx, shard, viewBytes, offset));
    },
    destroy() {
      for (const s of shards) s.destroy();
    },
  };
}
