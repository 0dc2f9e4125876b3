import scaleAddWgsl from '../../shaders/scale_add.wgsl?raw';
import { createUniformBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';

const WG = 256;

/** out = alpha·x + y over n floats. Planned once for fixed buffers; encode() records one pass. */
export interface ScaleAddOp {
  encode(enc: GPUCommandEncoder): void;
  destroy(): void;
}

export async function planScaleAdd(
  ctx: GpuContext,
  bufs: { x: GPUBuffer; y: GPUBuffer; out: GPUBuffer },
  n: number,
  alpha: number,
): Promise<ScaleAddOp> {
  const pipeline = await ctx.pipelines.compute(scaleAddWgsl, 'main', { WG }, 'scale_add');
  const params = createUniformBuffer(ctx, 8, 'scale_add.params');
  const p = new DataView(new ArrayBuffer(8));
  p.setUint32(0, n, true);
  p.setFloat32(4, alpha, true);
  ctx.device.queue.writeBuffer(params, 0, p.buffer);
  const bind = bindBuffers(ctx, pipeline, [bufs.x, bufs.y, bufs.out, params], 'scale_add');
  const groups = grid1D(ctx, Math.ceil(n / WG));
  return {
    encode: (enc) => encodePass(enc, pipeline, bind, groups, 'scale_add'),
    destroy: () => params.destroy(),
  };
}
