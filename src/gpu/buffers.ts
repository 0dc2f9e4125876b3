import type { GpuContext } from './context';

type Typed = Float32Array | Int32Array | Uint32Array;

/** A storage buffer initialised from `data` (tests, weights upload, small inputs). */
export function createBufferFrom(ctx: GpuContext, data: Typed, label = 'data', extraUsage = 0): GPUBuffer {
  const size = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
  const buffer = ctx.device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
    mappedAtCreation: true,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

export function createStorageBuffer(
  ctx: GpuContext,
  bytes: number,
  label = 'storage',
  extraUsage = 0,
): GPUBuffer {
  return ctx.device.createBuffer({
    label,
    size: Math.max(4, Math.ceil(bytes / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
  });
}

/** A uniform buffer holding `words` (u32/i32/f32 written by the caller through a DataView). */
export function createUniformBuffer(ctx: GpuContext, bytes: number, label = 'params'): GPUBuffer {
  return ctx.device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(bytes / 16) * 16),
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
}

/** Copy `bytes` from `src` to a staging buffer and map it. Waits for all submitted work. */
export async function readBufferBytes(ctx: GpuContext, src: GPUBuffer, bytes = src.size, offset = 0) {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = ctx.device.createBuffer({
    label: 'readback',
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const enc = ctx.device.createCommandEncoder();
  enc.copyBufferToBuffer(src, offset, staging, 0, size);
  ctx.device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return out;
}

export async function readF32(ctx: GpuContext, src: GPUBuffer, count?: number, offsetElems = 0) {
  const n = count ?? (src.size >> 2) - offsetElems;
  return new Float32Array(await readBufferBytes(ctx, src, n * 4, offsetElems * 4));
}

export async function readI32(ctx: GpuContext, src: GPUBuffer, count?: number, offsetElems = 0) {
  const n = count ?? (src.size >> 2) - offsetElems;
  return new Int32Array(await readBufferBytes(ctx, src, n * 4, offsetElems * 4));
}

export async function readU32(ctx: GpuContext, src: GPUBuffer, count?: number, offsetElems = 0) {
  const n = count ?? (src.size >> 2) - offsetElems;
  return new Uint32Array(await readBufferBytes(ctx, src, n * 4, offsetElems * 4));
}

export function writeBuffer(ctx: GpuContext, dst: GPUBuffer, data: Typed, offsetBytes = 0): void {
  ctx.device.queue.writeBuffer(dst, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
}

/** Submit what `encode` records and wait for the queue to finish it. */
export async function submitAndWait(
  ctx: GpuContext,
  encode: (enc: GPUCommandEncoder) => void,
): Promise<void> {
  const enc = ctx.device.createCommandEncoder();
  encode(enc);
  ctx.device.queue.submit([enc.finish()]);
  await ctx.device.queue.onSubmittedWorkDone();
}
