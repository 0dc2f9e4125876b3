import type { GpuContext } from '../gpu/context';
import { matmulDeviceKey } from './matmul-variants';

/**
 * The two conv2d kernels: 'tiled' stages tiles in workgroup memory (GPUs); 'direct' reads 4×4
 * register blocks straight from memory with no barriers (CPU adapters, where barriers dominate).
 */
export type Conv2dVariant = 'tiled' | 'direct';

/** The variants the probe times, in order of preference when timings tie. */
export const CONV2D_VARIANT_NAMES: readonly Conv2dVariant[] = ['direct', 'tiled'];

/** The variant without a probe: direct on a fallback (software) adapter, tiled otherwise. */
export function untunedConv2dVariant(isFallbackAdapter: boolean): Conv2dVariant {
  return isFallbackAdapter ? 'direct' : 'tiled';
}

// The variant probe's choice per adapter (src/kernels/variant-probe.ts), for the life of the page or process.
const tuned = new Map<string, Conv2dVariant>();

/** The probe's choice for this adapter, if it has run (planConv2d's defaultConv2dVariant reads it). */
export function tunedConv2dVariant(ctx: GpuContext): Conv2dVariant | undefined {
  return tuned.get(matmulDeviceKey(ctx));
}

export function setTunedConv2dVariant(ctx: GpuContext, v: Conv2dVariant | undefined): void {
  if (v) tuned.set(matmulDeviceKey(ctx), v);
  else tuned.delete(matmulDeviceKey(ctx));
}
