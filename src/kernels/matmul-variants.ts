import { adapterName } from '../gpu/adapter-info';
import type { GpuContext } from '../gpu/context';

/** The entry points of shaders/matmul.wgsl a plan can run. */
export type MatmulKernel = 'naive' | 'blocked' | 'tiled' | 'wide';

/**
 * One configuration of the matmul kernel. `blocked` and `tiled` give each thread a 4×4 block of
 * C, so a workgroup covers (4·wgY) rows × (4·wgX) columns; `wide` an 8×8 block from vec4 loads
 * (8·wgY × 8·wgX per workgroup; on shapes vec4 loads cannot read it runs `blocked` scalar).
 */
export interface MatmulVariant {
  kernel: MatmulKernel;
  /** Threads per workgroup along N (blocked, tiled). */
  wgX?: number;
  /** Threads per workgroup along M (blocked, tiled). */
  wgY?: number;
  /** Depth of the K slices staged in workgroup memory (tiled). */
  bk?: number;
  /** blocked: use vec4 loads when the shape allows them (default true); false forces scalar loads. */
  vec4?: boolean;
}

/** Used until tuneMatmul() has run on a device: a 4×4-per-thread kernel, 32×32 outputs per workgroup. */
export const DEFAULT_MATMUL_VARIANT: MatmulVariant = { kernel: 'blocked', wgX: 8, wgY: 8, vec4: true };

/**
 * Candidates the tuner times, in order of preference when timings tie. The tuner skips the tiled
 * ones on a fallback (CPU) adapter, where workgroup memory is ordinary memory: staging only adds
 * copies and barriers there, and their pipelines take seconds to compile.
 */
export const MATMUL_TUNE_CANDIDATES: readonly MatmulVariant[] = [
  DEFAULT_MATMUL_VARIANT,
  { kernel: 'blocked', wgX: 8, wgY: 8, vec4: false },
  { kernel: 'blocked', wgX: 16, wgY: 16, vec4: true },
  { kernel: 'blocked', wgX: 16, wgY: 4, vec4: true },
  { kernel: 'blocked', wgX: 4, wgY: 4, vec4: true },
  { kernel: 'wide', wgX: 8, wgY: 8 },
  { kernel: 'wide', wgX: 4, wgY: 4 },
  { kernel: 'wide', wgX: 16, wgY: 4 },
  { kernel: 'tiled', wgX: 8, wgY: 8, bk: 16 },
  { kernel: 'tiled', wgX: 16, wgY: 16, bk: 8 },
];

/** A short label such as "blocked 8x8", "blocked-scalar 16x16" or "tiled 16x16 k16". */
export function matmulVariantName(v: MatmulVariant): string {
  if (v.kernel === 'naive') return 'naive';
  const wg = `${v.wgX ?? 8}x${v.wgY ?? 8}`;
  if (v.kernel === 'tiled') return `tiled ${wg} k${v.bk ?? 16}`;
  if (v.kernel === 'wide') return `wide ${wg}`;
  return `${v.vec4 === false ? 'blocked-scalar' : 'blocked'} ${wg}`;
}

// The tuner's choice per adapter, for the life of the page or process.
const tuned = new Map<string, MatmulVariant>();

export function matmulDeviceKey(ctx: GpuContext): string {
  return adapterName(ctx.adapter);
}

export function tunedMatmulVariant(ctx: GpuContext): MatmulVariant | undefined {
  return tuned.get(matmulDeviceKey(ctx));
}

export function setTunedMatmulVariant(ctx: GpuContext, v: MatmulVariant | undefined): void {
  if (v) tuned.set(matmulDeviceKey(ctx), v);
  else tuned.delete(matmulDeviceKey(ctx));
}
