import type { GpuContext } from './context';

/**
 * A bind group for group 0 of `pipeline` with buffers at explicit binding numbers. Entry points of
 * one module use different subsets of its bindings, and a 'auto' layout holds only the ones an
 * entry point uses, so the numbers are not always 0, 1, 2...
 */
export function bindAt(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  entries: readonly (readonly [number, GPUBuffer])[],
  label?: string,
): GPUBindGroup {
  return ctx.device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: entries.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
  });
}
