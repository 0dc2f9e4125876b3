import prototypeWgsl from '../../shaders/prototype.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass } from '../gpu/dispatch';
import { checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';

export interface PrototypeBuffers {
  z: GPUBuffer; // [2B, D] projections of both augmented copies
  zp: GPUBuffer; // [B, D] their mean
  dzp?: GPUBuffer; // [B, D] gradient wrt zp
  dz?: GPUBuffer; // [2B, D] gradient wrt z (accumulated into)
}

/** The point prototype z_p = (z_t1 + z_t2)/2 and the backward that adds dz_p/2 to both halves. */
export async function planPrototype(
  ctx: GpuContext,
  shape: { B: number; D: number },
  bufs: PrototypeBuffers,
) {
  const half = shape.B * shape.D;
  const groups = Math.ceil(half / 256);
  checkLimit(ctx.limits, 'maxComputeWorkgroupsPerDimension', groups, 'the point prototype', 'the batch size');
  const params = createParams(ctx, 'prototype.params', [
    ['u32', half],
    ['u32', 0],
    ['u32', 0],
    ['u32', 0],
  ]);
  const fwd = await ctx.pipelines.compute(prototypeWgsl, 'forward', {}, 'prototype');
  const fwdBind = ctx.device.createBindGroup({
    layout: fwd.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: bufs.z } },
      { binding: 1, resource: { buffer: bufs.zp } },
      { binding: 4, resource: { buffer: params.buffer } },
    ],
  });
  let bwd: ((enc: GPUCommandEncoder) => void) | undefined;
  if (bufs.dzp && bufs.dz) {
    const pipe = await ctx.pipelines.compute(prototypeWgsl, 'backward_accumulate', {}, 'prototype');
    const bind = ctx.device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: [
        { binding: 2, resource: { buffer: bufs.dzp } },
        { binding: 3, resource: { buffer: bufs.dz } },
        { binding: 4, resource: { buffer: params.buffer } },
      ],
    });
    bwd = (enc) => encodePass(enc, pipe, bind, [groups, 1, 1], 'prototype.backward');
  }
  return {
    encodeForward: (enc: GPUCommandEncoder) =>
      encodePass(enc, fwd, fwdBind, [groups, 1, 1], 'prototype.forward'),
    encodeBackward: (enc: GPUCommandEncoder) => {
      if (!bwd) throw new Error('prototype planned without gradient buffers');
      bwd(enc);
    },
    destroy: () => params.buffer.destroy(),
  };
}
