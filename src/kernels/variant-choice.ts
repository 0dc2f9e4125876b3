import type { AdapterSummary } from '../gpu/adapter-info';
import { type Conv2dVariant, untunedConv2dVariant } from './conv2d-variant';
import { DEFAULT_MATMUL_VARIANT, type MatmulVariant, matmulVariantName } from './matmul-variants';

/**
 * What the kernel-variant probe (variant-probe.ts) caches per adapter, and the cache's key: plain
 * data and no shader, so hosts without the WGSL loader (the e2e tests, which seed the page's
 * cache) can make them too.
 */

/** Bumped whenever the candidates or the probe shapes change, so every cached choice is re-probed. */
export const VARIANT_PROBE_VERSION = 2; // 2: the wide matmul candidates

/** What the probe picked for one adapter: plain data, cached as JSON and posted between threads. */
export interface KernelChoice {
  matmul: MatmulVariant;
  /** matmulVariantName(matmul), e.g. "blocked 16x4". */
  matmulName: string;
  conv2d: Conv2dVariant;
  /** Time (ms) of each candidate, fastest round, in candidate order. */
  timings: { matmul: { name: string; ms: number }[]; conv2d: { name: string; ms: number }[] };
  method: 'timestamp' | 'wall' | 'given';
}

/**
 * The cache key: the probe version, everything the adapter says about itself (vendor,
 * architecture, device, description: Dawn puts the driver and its version in the description)
 * and the runtime (the browser's user agent, or Node's WebGPU binding and version), so a new
 * driver, browser or Dawn probes again.
 */
export function variantCacheKey(
  a: Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description'>,
  runtime: string,
): string {
  return JSON.stringify([VARIANT_PROBE_VERSION, a.vendor, a.architecture, a.device, a.description, runtime]);
}

/**
 * The variants the planners use when no probe has run (DEFAULT_MATMUL_VARIANT, and conv2d's
 * default for the adapter), as a cache entry without timings: what the e2e tests seed so their
 * pages skip the probe.
 */
export function unprobedKernelChoice(isFallbackAdapter: boolean): KernelChoice {
  return {
    matmul: DEFAULT_MATMUL_VARIANT,
    matmulName: matmulVariantName(DEFAULT_MATMUL_VARIANT),
    conv2d: untunedConv2dVariant(isFallbackAdapter),
    timings: { matmul: [], conv2d: [] },
    method: 'given',
  };
}
