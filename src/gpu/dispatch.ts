import type { GpuContext } from './context';
import { GpuLimitError } from './errors';
import { activeProfiler } from './pass-profiler';

/**
 * Grid for `groups` workgroups along one logical axis: x up to maxComputeWorkgroupsPerDimension,
 * the rest folded into y. Shaders recover the linear group id as `wid.x + wid.y * nwg.x`
 * and must bounds-check, since the folded grid can overshoot.
 */
export function grid1D(ctx: GpuContext, groups: number): [number, number, number] {
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(1, groups), 1, 1];
  const y = Math.ceil(groups / max);
  if (y > max) {
    throw new GpuLimitError(
      'maxComputeWorkgroupsPerDimension',
      groups,
      max * max,
      'the problem size',
      'a dispatch',
    );
  }
  return [max, y, 1];
}

/** Record one compute pass with one pipeline and bind group 0. */
export function encodePass(
  enc: GPUCommandEncoder,
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  groups: readonly [number, number, number] | readonly number[],
  label?: string,
): void {
  const timestampWrites = activeProfiler()?.next(label ?? pipeline.label);
  const pass = enc.beginComputePass(label || timestampWrites ? { label, timestampWrites } : undefined);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(groups[0] ?? 1, groups[1] ?? 1, groups[2] ?? 1);
  pass.end();
}

/** A bind group for group 0 of `pipeline` with `buffers` at bindings 0, 1, 2... */
export function bindBuffers(
  ctx: GpuContext,
  pipeline: GPUComputePipeline,
  buffers: GPUBuffer[],
  label?: string,
) {
  return ctx.device.createBindGroup({
    label,
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}
