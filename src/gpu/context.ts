import { type AdapterSummary, summariseAdapter } from './adapter-info';
import { GpuDeviceLostError, GpuOutOfMemoryError, GpuUnavailableError, GpuValidationError } from './errors';
import { ENGINE_LIMITS, type EngineLimits, pickLimits } from './limits';
import { PipelineCache } from './pipelines';

export type GpuHost = 'window' | 'worker' | 'node';

/**
 * Everything a kernel launcher needs: the device, its limits, a pipeline cache, and the fault
 * channels. One per device; every layer and op takes it as its first argument.
 */
export interface GpuContext {
  readonly host: GpuHost;
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  /** Limits as granted to the device (we request the adapter's maximum of each ENGINE_LIMITS). */
  readonly limits: EngineLimits;
  readonly hasTimestamps: boolean;
  readonly pipelines: PipelineCache;
  /**
   * Resolves (never rejects) when the device is lost. After ctx.destroy() the reason is
   * "destroyed" and `intentional` is true; any other loss (driver reset, a raw device.destroy())
   * is not intentional and the owner should re-acquire.
   */
  readonly lost: Promise<GpuDeviceLostError>;
  /** Uncaptured errors reported by the device, newest last (bounded). */
  readonly errors: (GpuValidationError | GpuOutOfMemoryError)[];
  /** Called on each uncaptured error; set by the host (the CLI prints, the worker posts). */
  onError: ((e: GpuValidationError | GpuOutOfMemoryError) => void) | undefined;
  destroy(): void;
}

export const WEBGPU_ADVICE =
  'Use a browser with WebGPU: Chrome or Edge 113+ on Windows, macOS or ChromeOS, Chrome 121+ on ' +
  'Android, Safari 26+, or Firefox 141+ on Windows. On Linux start Chrome/Chromium with ' +
  '--enable-unsafe-webgpu (and --enable-features=Vulkan), or enable chrome://flags/#enable-unsafe-webgpu.';

/** Acquire an adapter and a device from a `GPU` object (navigator.gpu in a page or worker, dawn in Node). */
export async function acquireContext(
  gpu: GPU | undefined,
  host: GpuHost,
  options: { powerPreference?: GPUPowerPreference; keepAlive?: unknown } = {},
): Promise<GpuContext> {
  if (!gpu)
    throw new GpuUnavailableError(
      'This environment has no WebGPU (navigator.gpu is missing).',
      WEBGPU_ADVICE,
    );
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  } catch (e) {
    throw new GpuUnavailableError(`requestAdapter() failed: ${(e as Error).message}`, WEBGPU_ADVICE);
  }
  if (!adapter) {
    throw new GpuUnavailableError(
      'WebGPU is present but no GPU adapter is available (requestAdapter() returned null).',
      host === 'node'
        ? 'Install a Vulkan driver (apt-get install libvulkan1 chromium) and set ' +
            'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.'
        : WEBGPU_ADVICE,
    );
  }
  const summary = summariseAdapter(adapter);
  const requiredLimits: Record<string, number> = {};
  for (const name of ENGINE_LIMITS) requiredLimits[name] = summary.limits[name];
  const hasTimestamps = adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    label: 'crosspoint',
    requiredLimits,
    requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
  });

  const errors: (GpuValidationError | GpuOutOfMemoryError)[] = [];
  let destroyed = false;
  const ctx: GpuContext = {
    host,
    device,
    adapter: summary,
    limits: pickLimits(device.limits),
    hasTimestamps,
    pipelines: new PipelineCache(device),
    lost: device.lost.then(
      (info) =>
        new GpuDeviceLostError(destroyed ? 'destroyed' : String(info.reason ?? 'unknown'), info.message),
    ),
    errors,
    onError: undefined,
    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
  // Keep the object that owns the device (dawn's `create([])` result) reachable for the device's life:
  // if it is collected while the device is in use, dawn.node aborts the process.
  (ctx as { keepAlive?: unknown }).keepAlive = options.keepAlive;
  device.addEventListener('uncapturederror', (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    const wrapped =
      err instanceof GPUOutOfMemoryError || err.constructor?.name === 'GPUOutOfMemoryError'
        ? new GpuOutOfMemoryError(err.message)
        : new GpuValidationError(err.message);
    errors.push(wrapped);
    if (errors.length > 50) errors.shift();
    ctx.onError?.(wrapped);
  });
  return ctx;
}

/**
 * Run `fn` inside validation and out-of-memory error scopes and throw a typed error if either
 * fired. Use around allocation and planning, not in the per-step hot path.
 */
export async function withErrorScopes<T>(ctx: GpuContext, what: string, fn: () => T): Promise<T> {
  ctx.device.pushErrorScope('out-of-memory');
  ctx.device.pushErrorScope('validation');
  let value: T | undefined;
  let thrown: unknown;
  try {
    value = fn();
  } catch (e) {
    thrown = e;
  }
  // Pop both scopes whatever happened, so the device's scope stack stays balanced.
  const validation = await ctx.device.popErrorScope();
  const oom = await ctx.device.popErrorScope();
  if (thrown !== undefined) throw thrown;
  if (oom) throw new GpuOutOfMemoryError(`${what}: the GPU ran out of memory (${oom.message})`);
  if (validation) throw new GpuValidationError(`${what}: ${validation.message}`);
  return value as T;
}
