// Typed errors the engine raises, so callers (UI, CLI, trainer) can act on the kind of failure
// instead of parsing messages.

/** WebGPU is missing: no `navigator.gpu`, no adapter, or the Node binding could not load. */
export class GpuUnavailableError extends Error {
  override name = 'GpuUnavailableError';
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly advice: string,
  ) {
    super(message);
  }
}

/** The device was lost (driver reset, destroy(), tab in background for too long...). */
export class GpuDeviceLostError extends Error {
  override name = 'GpuDeviceLostError';
  constructor(
    readonly reason: string,
    message: string,
    /** True when our own code destroyed the device (ctx.destroy()), not a fault. */
    readonly intentional = false,
  ) {
    super(`GPU device lost (${reason}): ${message}`);
  }
}

/** A validation or out-of-memory error the device reported asynchronously. */
export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
}

export class GpuOutOfMemoryError extends Error {
  override name = 'GpuOutOfMemoryError';
}

/**
 * A request the adapter cannot serve. Names the limit and the setting to lower, for example
 * "needs a 1.5 GiB storage binding but maxStorageBufferBindingSize is 1 GiB: lower --batch or --points".
 */
export class GpuLimitError extends Error {
  override name = 'GpuLimitError';
  constructor(
    readonly limit: string,
    readonly needed: number,
    readonly available: number,
    readonly lower: string,
    what: string,
  ) {
    super(
      `${what} needs ${formatLimitValue(limit, needed)} but the adapter's ${limit} is ` +
        `${formatLimitValue(limit, available)}: lower ${lower}`,
    );
  }
}

function formatLimitValue(limit: string, v: number): string {
  if (/Size$/.test(limit) && v >= 1024) return formatBytes(v);
  return String(v);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[u]}`;
}
