import type { GpuContext } from '../gpu/context';
import { matmulDeviceKey } from './matmul-variants';

/**
 * The two conv2d kernels: 'tiled' stages tiles in workgroup memory (GPUs); 'direct' reads 4×4
 * register blocks straight from memory with no barriers (CPU adapters, where barriers dominate).
 */
export type Conv2dVariant = 'tiled' | 'direct';

export const CONV2D_VARIANTS: readonly Conv2dVariant[] = ['direct', 'tiled'];

// The variant probe's choice per adapter (src/kernels/variant-probe.ts), for the life of the page or process.
const tuned = new Map<string, Conv2dVariant>();

/** What planConv2d runs when the shape names no variant: the probe's choice, else by adapter kind. */
export function defaultConv2dVariant(ctx: GpuContext): Conv2dVariant {
  return tuned.get(matmulDeviceKey(ctx)) ?? (ctx.adapter.isFallbackAdapter ? 'direct' : 'tiled');
}

export function setTunedConv2dVariant(ctx: GpuContext, v: Conv2dVariant | undefined): void {
  if (v) tuned.set(matmulDeviceKey(ctx), v);
  else tuned.delete(matmulDeviceKey(ctx));
}
