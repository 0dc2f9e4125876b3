import type { GpuContext } from './context';

export type ParamType = 'u32' | 'i32' | 'f32';

/**
 * A uniform buffer holding a flat struct of 4-byte scalars, in order. The WGSL struct must declare
 * the same fields in the same order (all u32/i32/f32, so there is no padding to think about).
 * Returns the buffer and a function to rewrite the values later (e.g. a learning rate per step).
 */
/** Bytes of the uniform buffer createParams makes for `fields` 4-byte scalars (16-byte rounded). */
export function paramsBytes(fields: number): number {
  return Math.max(16, Math.ceil((fields * 4) / 16) * 16);
}

export function createParams(ctx: GpuContext, label: string, fields: [ParamType, number][]) {
  const bytes = paramsBytes(fields.length);
  const buffer = ctx.device.createBuffer({
    label,
    size: bytes,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  const view = new DataView(new ArrayBuffer(bytes));
  const write = (values: readonly number[]) => {
    fields.forEach(([type], i) => {
      const v = values[i]!;
      if (type === 'f32') view.setFloat32(i * 4, v, true);
      else if (type === 'i32') view.setInt32(i * 4, v, true);
      else view.setUint32(i * 4, v, true);
    });
    ctx.device.queue.writeBuffer(buffer, 0, view.buffer);
  };
  write(fields.map(([, v]) => v));
  return { buffer, write };
}
