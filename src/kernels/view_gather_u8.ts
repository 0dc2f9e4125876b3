// Launcher of shaders/view_gather_u8.wgsl: a batch of views gathered from an 8-bit RGBA view store
// (src/gpu/view-store.ts) into f32 CHW in [0, 1], one pass per shard. It feeds the image
// augmentation, which then reads the batch in order. A data input: no backward.
import gatherWgsl from '../../shaders/view_gather_u8.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import type { ViewStore8 } from '../gpu/view-store';

const WG = 256;

export interface ViewGatherOp {
  /** The batch's view indices into the store (length = batch). */
  setSources(views: readonly number[]): void;
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** out: [batch, 3, S, S] f32. */
export async function planViewGatherU8(
  ctx: GpuContext,
  shape: { batch: number },
  bufs: { store: ViewStore8; out: GPUBuffer },
): Promise<ViewGatherOp> {
  const { batch: B } = shape;
  const { store } = bufs;
  const plane = store.size * store.size;
  checkBufferSize(
    ctx.limits,
    B * 3 * plane * 4,
    'the gathered batch of views',
    'the batch or the image size',
  );
  const pipeline = await ctx.pipelines.compute(gatherWgsl, 'gather', { WG }, 'view_gather_u8');
  const src = createStorageBuffer(ctx, B * 4, 'view_gather_u8.src'); // [B] u32
  const groups = grid1D(ctx, Math.ceil((B * plane) / WG));
  const passes = store.shards.map((shard, s) => {
    const first = s * store.viewsPerShard;
    const params = createParams(ctx, 'view_gather_u8.params', [
      ['u32', B],
      ['u32', plane],
      ['u32', first],
      ['u32', Math.min(store.viewsPerShard, store.views - first)],
    ]);
    return {
      params,
      bind: bindBuffers(ctx, pipeline, [shard, src, bufs.out, params.buffer], 'view_gather_u8'),
    };
  });
  return {
    setSources(views) {
      if (views.length !== B)
        throw new RangeError(`view gather: ${views.length} sources for a batch of ${B}`);
      const bad = views.find((v) => !(Number.isInteger(v) && v >= 0 && v < store.views));
      if (bad !== undefined)
        throw new RangeError(`view gather: view ${bad} outside the store (${store.views} views)`);
      ctx.device.queue.writeBuffer(src, 0, Uint32Array.from(views));
    },
    encode(enc) {
      for (const p of passes) encodePass(enc, pipeline, p.bind, groups, 'view_gather_u8');
    },
    destroy() {
      src.destroy();
      for (const p of passes) p.params.buffer.destroy();
    },
  };
}
