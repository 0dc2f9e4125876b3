import { GpuLimitError } from './errors';

/** The adapter limits the engine asks for (it requests the adapter's maximum of each). */
export const ENGINE_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
] as const;

export type EngineLimitName = (typeof ENGINE_LIMITS)[number];
export type EngineLimits = Record<EngineLimitName, number>;

/** A plain copy of the limits we care about (GPUSupportedLimits does not JSON-serialise). */
export function pickLimits(limits: GPUSupportedLimits): EngineLimits {
  const out = {} as EngineLimits;
  for (const name of ENGINE_LIMITS) out[name] = Number(limits[name]);
  return out;
}

/** One buffer must stay below this on every adapter we have seen (SwiftShader fails at exactly 1 GiB). */
const SAFE_BUFFER_CAP = 1024 * 1024 * 1024 - 1024 * 1024;

/** Largest buffer the engine will create on this device. */
export function maxBufferBytes(limits: EngineLimits): number {
  return Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize, SAFE_BUFFER_CAP);
}

/** Throws a GpuLimitError naming the limit and `lower` (the setting the user should reduce). */
export function checkBufferSize(limits: EngineLimits, bytes: number, what: string, lower: string): void {
  const cap = maxBufferBytes(limits);
  if (bytes > cap) {
    const limit =
      cap === limits.maxStorageBufferBindingSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    throw new GpuLimitError(limit, bytes, cap, lower, what);
  }
}

export function checkLimit(
  limits: EngineLimits,
  limit: EngineLimitName,
  needed: number,
  what: string,
  lower: string,
): void {
  if (needed > limits[limit]) throw new GpuLimitError(limit, needed, limits[limit], lower, what);
}
