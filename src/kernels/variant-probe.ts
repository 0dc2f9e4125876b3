import { adapterName } from '../gpu/adapter-info';
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { GpuTimer } from '../gpu/timer';
import { type Conv2dOp, type Conv2dShape, planConv2d } from './conv2d';
import { CONV2D_VARIANT_NAMES, type Conv2dVariant, setTunedConv2dVariant } from './conv2d-variant';
import { pickFastest, tuneMatmul } from './matmul-tune';
import {
  MATMUL_TUNE_CANDIDATES,
  type MatmulVariant,
  matmulVariantName,
  setTunedMatmulVariant,
} from './matmul-variants';
import { type KernelChoice, variantCacheKey } from './variant-choice';

export { type KernelChoice, VARIANT_PROBE_VERSION, variantCacheKey } from './variant-choice';

export interface VariantProbeResult extends KernelChoice {
  /** The cache key (adapter, driver and runtime). */
  key: string;
  /** True when the choice came from the cache rather than fresh timings. */
  cached: boolean;
  /** Wall time of the probe (or of the cache lookup), ms. */
  probeMs: number;
}

/** Where choices persist between runs: a file in Node, IndexedDB in the page's worker. */
export interface VariantCache {
  load(key: string): Promise<unknown>;
  save(key: string, choice: KernelChoice): Promise<void>;
}

/** A cache that lives as long as the object (tests, or a host with nowhere to write). */
export function memoryVariantCache(): VariantCache & { entries: Map<string, KernelChoice> } {
  const entries = new Map<string, KernelChoice>();
  return {
    entries,
    load: async (key) => entries.get(key),
    async save(key, choice) {
      entries.set(key, choice);
    },
  };
}

/** The conv2d shape the probe times: a ResNet-18 3×3 convolution, small (1 image, 16 channels, 12×12). */
export const CONV2D_PROBE_SHAPE: Conv2dShape = {
  B: 1,
  Cin: 16,
  H: 12,
  W: 12,
  Cout: 16,
  KH: 3,
  KW: 3,
  stride: 1,
  pad: 1,
};

export interface ProbeOptions {
  cache: VariantCache;
  runtime: string;
  /** Probe again even if the cache has this adapter. */
  force?: boolean;
  /** One line per step ("probing kernel variants: matmul..."). */
  onProgress?: (line: string) => void;
  /** Timed rounds per candidate (fastest counts). */
  rounds?: number;
  /** Replaces GPU timing (tests): the time of one candidate. */
  timeCandidate?: (op: 'matmul' | 'conv2d', name: string) => Promise<number>;
}

/** The matmul candidates this adapter may run (no workgroup-memory tiles on a CPU adapter). */
function matmulCandidates(ctx: GpuContext): readonly MatmulVariant[] {
  return MATMUL_TUNE_CANDIDATES.filter((v) => !(ctx.adapter.isFallbackAdapter && v.kernel === 'tiled'));
}

/** A cached value that is still a valid choice for this build, or undefined. */
function validChoice(ctx: GpuContext, v: unknown): KernelChoice | undefined {
  const c = v as Partial<KernelChoice> | undefined;
  if (!c || typeof c !== 'object' || !c.matmul || !c.timings) return undefined;
  const m = matmulCandidates(ctx).find((cand) => matmulVariantName(cand) === matmulVariantName(c.matmul!));
  if (!m || !CONV2D_VARIANT_NAMES.includes(c.conv2d as Conv2dVariant)) return undefined;
  return { ...(c as KernelChoice), matmul: m, matmulName: matmulVariantName(m) };
}

/**
 * Picks each op's kernel variant for this adapter and makes the planners use it (planMatmul and
 * planConv2d without an explicit variant): from the cache when it knows this adapter + driver +
 * runtime, else by timing every candidate on a small shape (matmul: MATMUL_TUNE_SHAPE; conv2d:
 * CONV2D_PROBE_SHAPE, forward and both backward passes) and saving the choice. A second or two on
 * a GPU, a few seconds on a CPU adapter; a cache hit costs a lookup.
 */
export async function probeKernelVariants(ctx: GpuContext, opts: ProbeOptions): Promise<VariantProbeResult> {
  const t0 = performance.now();
  const key = variantCacheKey(ctx.adapter, opts.runtime);
  const progress = opts.onProgress ?? (() => {});
  let choice = opts.force ? undefined : validChoice(ctx, await opts.cache.load(key).catch(() => undefined));
  const cached = choice !== undefined;
  if (!choice) {
    progress(`probing kernel variants for ${adapterName(ctx.adapter)}: matmul...`);
    const time = opts.timeCandidate;
    const mm = await tuneMatmul(ctx, {
      force: true,
      candidates: matmulCandidates(ctx),
      rounds: opts.rounds ?? 2,
      timeCandidate: time ? (v) => time('matmul', matmulVariantName(v)) : undefined,
    });
    progress('probing kernel variants: conv2d (tiled, direct)...');
    const conv = time
      ? {
          ms: await Promise.all(CONV2D_VARIANT_NAMES.map((v) => time('conv2d', v))),
          method: 'given' as const,
        }
      : await timeConv2d(ctx, opts.rounds ?? 2);
    choice = {
      matmul: mm.variant,
      matmulName: mm.name,
      conv2d: CONV2D_VARIANT_NAMES[pickFastest(conv.ms)]!,
      timings: {
        matmul: mm.timings,
        conv2d: CONV2D_VARIANT_NAMES.map((name, i) => ({ name, ms: conv.ms[i]! })),
      },
      method: time ? 'given' : conv.method,
    };
    await opts.cache.save(key, choice).catch((e: unknown) => {
      progress(
        `kernel variants: could not save the choice (${(e as Error).message}); it is used for this run`,
      );
    });
  }
  setTunedMatmulVariant(ctx, choice.matmul);
  setTunedConv2dVariant(ctx, choice.conv2d);
  const probeMs = performance.now() - t0;
  progress(
    `kernel variants: matmul ${choice.matmulName}, conv2d ${choice.conv2d}` +
      (cached ? ' (cached)' : ` (probed in ${(probeMs / 1000).toFixed(1)} s)`),
  );
  return { ...choice, key, cached, probeMs };
}

/** One line for `crosspoint info` and the Adapter panel, e.g. "matmul blocked 16x4, conv2d direct (cached)". */
export function describeKernelChoice(
  r: Pick<VariantProbeResult, 'matmulName' | 'conv2d' | 'cached'>,
): string {
  return `matmul ${r.matmulName}, conv2d ${r.conv2d}${r.cached ? ' (cached)' : ' (probed)'}`;
}

/** Fastest of `rounds` runs of forward + dgrad + wgrad per conv2d variant, rounds interleaved. */
async function timeConv2d(ctx: GpuContext, rounds: number) {
  const s = CONV2D_PROBE_SHAPE;
  const xBytes = 4 * s.B * s.Cin * s.H * s.W;
  const yBytes = 4 * s.B * s.Cout * s.H * s.W;
  const wBytes = 4 * s.Cout * s.Cin * s.KH * s.KW;
  const bufs = {
    x: createStorageBuffer(ctx, xBytes, 'probe.conv.x'), // [B, Cin, H, W]
    w: createStorageBuffer(ctx, wBytes, 'probe.conv.w'), // [Cout, Cin, KH, KW]
    y: createStorageBuffer(ctx, yBytes, 'probe.conv.y'), // [B, Cout, H, W]
    dy: createStorageBuffer(ctx, yBytes, 'probe.conv.dy'),
    dx: createStorageBuffer(ctx, xBytes, 'probe.conv.dx'),
    dw: createStorageBuffer(ctx, wBytes, 'probe.conv.dw'),
  };
  const timer = new GpuTimer(ctx);
  const ops: Conv2dOp[] = [];
  try {
    for (const variant of CONV2D_VARIANT_NAMES) ops.push(await planConv2d(ctx, { ...s, variant }, bufs));
    const ms = ops.map(() => Number.POSITIVE_INFINITY);
    let method: 'timestamp' | 'wall' = 'wall';
    for (let r = -1; r < rounds; r++) {
      for (const [i, op] of ops.entries()) {
        const t = await timer.time((enc) => {
          op.encodeForward(enc);
          op.encodeBackwardInput(enc);
          op.encodeBackwardWeight(enc);
        });
        method = t.method;
        if (r >= 0) ms[i] = Math.min(ms[i]!, t.ms);
      }
    }
    return { ms, method };
  } finally {
    for (const op of ops) op.destroy();
    timer.destroy();
    for (const b of Object.values(bufs)) b.destroy();
  }
}
