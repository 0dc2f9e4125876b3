import { afterEach, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { defaultConv2dVariant, planConv2d } from './conv2d';
import { CONV2D_VARIANT_NAMES, setTunedConv2dVariant } from './conv2d-variant';
import { planMatmul } from './matmul';
import { resetMatmulTuning } from './matmul-tune';
import { DEFAULT_MATMUL_VARIANT, MATMUL_TUNE_CANDIDATES, matmulVariantName } from './matmul-variants';
import { unprobedKernelChoice } from './variant-choice';
import { memoryVariantCache, probeKernelVariants, variantCacheKey } from './variant-probe';

const gpu = setupGpu();

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Fake timings: `fast` is the quickest candidate of its op, every other one takes 10 ms. */
function timesFavouring(fast: { matmul: string; conv2d: string }, calls: string[]) {
  return async (op: 'matmul' | 'conv2d', name: string) => {
    calls.push(`${op} ${name}`);
    return name === fast[op] ? 1 : 10;
  };
}

describe('kernel variant probe (src/kernels/variant-probe.ts)', () => {
  afterEach(() => {
    resetMatmulTuning(gpu());
    setTunedConv2dVariant(gpu(), undefined);
  });

  it('every matmul candidate computes the same C (awkward batched shape, broadcast A)', async () => {
    const ctx = gpu();
    const s = { batch: 3, M: 37, N: 45, K: 29, strideA: 0 };
    const rng = new Rng(7);
    const a = createBufferFrom(ctx, rng.uniformArray(s.M * s.K, -1, 1)); // [M, K], broadcast
    const b = createBufferFrom(ctx, rng.uniformArray(s.batch * s.K * s.N, -1, 1)); // [batch, K, N]
    const c = createStorageBuffer(ctx, 4 * s.batch * s.M * s.N); // [batch, M, N]
    const outs: Float32Array[] = [];
    for (const variant of MATMUL_TUNE_CANDIDATES) {
      const op = await planMatmul(ctx, s, { a, b, c }, { variant });
      await submitAndWait(ctx, (e) => op.encode(e));
      outs.push(await readF32(ctx, c));
      op.destroy();
    }
    const scale = maxAbs(outs[0]!);
    expect(scale).toBeGreaterThan(0.5);
    for (const [i, o] of outs.entries())
      expect(maxDiff(o, outs[0]!), matmulVariantName(MATMUL_TUNE_CANDIDATES[i]!)).toBeLessThanOrEqual(
        1e-6 * scale,
      );
    for (const x of [a, b, c]) x.destroy();
  }, 120_000);

  it('conv2d tiled and direct compute the same y, dx and dw (stride 2, padding, odd sizes)', async () => {
    const ctx = gpu();
    const s = { B: 2, Cin: 5, H: 11, W: 9, Cout: 7, KH: 3, KW: 3, stride: 2, pad: 1 };
    const Ho = 6;
    const Wo = 5;
    const rng = new Rng(11);
    const bufs = {
      x: createBufferFrom(ctx, rng.uniformArray(s.B * s.Cin * s.H * s.W, -1, 1)), // [B, Cin, H, W]
      w: createBufferFrom(ctx, rng.uniformArray(s.Cout * s.Cin * 9, -1, 1)), // [Cout, Cin, 3, 3]
      y: createStorageBuffer(ctx, 4 * s.B * s.Cout * Ho * Wo), // [B, Cout, Ho, Wo]
      dy: createBufferFrom(ctx, rng.uniformArray(s.B * s.Cout * Ho * Wo, -1, 1)),
      dx: createStorageBuffer(ctx, 4 * s.B * s.Cin * s.H * s.W),
      dw: createStorageBuffer(ctx, 4 * s.Cout * s.Cin * 9),
    };
    const outs: Float32Array[][] = [];
    for (const variant of CONV2D_VARIANT_NAMES) {
      const op = await planConv2d(ctx, { ...s, variant }, bufs);
      expect(op.variant).toBe(variant);
      await submitAndWait(ctx, (e) => {
        op.encodeForward(e);
        op.encodeBackwardInput(e);
        op.encodeBackwardWeight(e);
      });
      outs.push([await readF32(ctx, bufs.y), await readF32(ctx, bufs.dx), await readF32(ctx, bufs.dw)]);
      op.destroy();
    }
    for (let t = 0; t < 3; t++) {
      const scale = maxAbs(outs[0]![t]!);
      expect(scale).toBeGreaterThan(0.1);
      expect(maxDiff(outs[1]![t]!, outs[0]![t]!), ['y', 'dx', 'dw'][t]).toBeLessThanOrEqual(1e-6 * scale);
    }
    for (const x of Object.values(bufs)) x.destroy();
  }, 120_000);

  it('probes, saves the choice under the adapter key, and the planners use it', async () => {
    const ctx = gpu();
    const cache = memoryVariantCache();
    const calls: string[] = [];
    const lines: string[] = [];
    const r = await probeKernelVariants(ctx, {
      cache,
      runtime: 'test-runtime 1',
      timeCandidate: timesFavouring({ matmul: 'blocked 4x4', conv2d: 'tiled' }, calls),
      onProgress: (l) => lines.push(l),
    });
    expect(r.cached).toBe(false);
    expect(r.matmulName).toBe('blocked 4x4');
    expect(r.conv2d).toBe('tiled');
    expect(r.key).toBe(variantCacheKey(ctx.adapter, 'test-runtime 1'));
    expect(cache.entries.get(r.key)?.matmulName).toBe('blocked 4x4');
    expect(calls.filter((c) => c.startsWith('conv2d'))).toEqual(['conv2d direct', 'conv2d tiled']);
    expect(lines[0]).toMatch(/^probing kernel variants for .+: matmul\.\.\.$/);
    expect(lines.at(-1)).toMatch(
      /^kernel variants: matmul blocked 4x4, conv2d tiled \(probed in [\d.]+ s\)$/,
    );

    // The plans made with no explicit variant run the probe's choice.
    const buf = createStorageBuffer(ctx, 4 * 64 * 64);
    const mm = await planMatmul(ctx, { batch: 1, M: 8, N: 8, K: 8 }, { a: buf, b: buf, c: buf });
    expect(mm.variant).toBe('blocked-vec4 4x4');
    mm.destroy();
    expect(defaultConv2dVariant(ctx)).toBe('tiled');
    const conv = await planConv2d(
      ctx,
      { B: 1, Cin: 2, H: 4, W: 4, Cout: 2, KH: 3, KW: 3, stride: 1, pad: 1 },
      { x: buf, w: buf, y: buf },
    );
    expect(conv.variant).toBe('tiled');
    conv.destroy();
    buf.destroy();
  });

  it('a second probe on the same adapter and runtime is a cache hit: no timing, same choice applied', async () => {
    const ctx = gpu();
    const cache = memoryVariantCache();
    const calls: string[] = [];
    const time = timesFavouring({ matmul: 'blocked 16x4', conv2d: 'direct' }, calls);
    await probeKernelVariants(ctx, { cache, runtime: 'rt', timeCandidate: time });
    const timed = calls.length;
    expect(timed).toBeGreaterThan(2);
    resetMatmulTuning(ctx);
    setTunedConv2dVariant(ctx, undefined);

    const again = await probeKernelVariants(ctx, { cache, runtime: 'rt', timeCandidate: time });
    expect(again.cached).toBe(true);
    expect(calls.length).toBe(timed);
    expect(again.matmulName).toBe('blocked 16x4');
    expect(defaultConv2dVariant(ctx)).toBe('direct');
    const buf = createStorageBuffer(ctx, 4 * 64);
    const mm = await planMatmul(ctx, { batch: 1, M: 8, N: 8, K: 8 }, { a: buf, b: buf, c: buf });
    expect(mm.variant).toBe('blocked-vec4 16x4');
    mm.destroy();
    buf.destroy();
  });

  it('probes again when the adapter, its driver or the runtime change, or the cached entry is unusable', async () => {
    const ctx = gpu();
    const a = ctx.adapter;
    const key = variantCacheKey(a, 'rt');
    expect(variantCacheKey({ ...a, description: `${a.description} driver 2` }, 'rt')).not.toBe(key);
    expect(variantCacheKey({ ...a, device: `${a.device}-other` }, 'rt')).not.toBe(key);
    expect(variantCacheKey(a, 'rt 2')).not.toBe(key);
    expect(variantCacheKey({ ...a }, 'rt')).toBe(key);

    const cache = memoryVariantCache();
    const calls: string[] = [];
    await probeKernelVariants(ctx, {
      cache,
      runtime: 'rt',
      timeCandidate: timesFavouring({ matmul: 'blocked 8x8', conv2d: 'direct' }, calls),
    });
    // A new runtime (browser or Dawn update) on the same adapter: timed again, its own entry.
    const n = calls.length;
    const other = await probeKernelVariants(ctx, {
      cache,
      runtime: 'rt 2',
      timeCandidate: timesFavouring({ matmul: 'blocked 16x16', conv2d: 'tiled' }, calls),
    });
    expect(other.cached).toBe(false);
    expect(calls.length).toBe(2 * n);
    expect(other.matmulName).toBe('blocked 16x16');
    expect(cache.entries.size).toBe(2);

    // An entry naming a kernel this build no longer has is ignored and replaced.
    cache.entries.set(key, { ...cache.entries.get(key)!, matmul: { kernel: 'blocked', wgX: 3, wgY: 3 } });
    const fixed = await probeKernelVariants(ctx, {
      cache,
      runtime: 'rt',
      timeCandidate: timesFavouring({ matmul: 'blocked 8x8', conv2d: 'direct' }, calls),
    });
    expect(fixed.cached).toBe(false);
    expect(cache.entries.get(key)?.matmulName).toBe('blocked 8x8');

    // force: timed even though the cache knows the adapter.
    const forced = await probeKernelVariants(ctx, {
      cache,
      runtime: 'rt',
      force: true,
      timeCandidate: timesFavouring({ matmul: 'blocked 4x4', conv2d: 'direct' }, calls),
    });
    expect(forced.cached).toBe(false);
    expect(forced.matmulName).toBe('blocked 4x4');
  });

  it("an unprobed choice seeded under the adapter's key (the e2e tests' seed) is a valid cache hit: the defaults", async () => {
    const ctx = gpu();
    const cache = memoryVariantCache();
    const seed = unprobedKernelChoice(ctx.adapter.isFallbackAdapter);
    await cache.save(variantCacheKey(ctx.adapter, 'rt'), seed);
    const calls: string[] = [];
    const r = await probeKernelVariants(ctx, {
      cache,
      runtime: 'rt',
      timeCandidate: timesFavouring({ matmul: 'blocked 4x4', conv2d: 'tiled' }, calls),
    });
    expect(r.cached).toBe(true);
    expect(calls).toEqual([]);
    // The variants the planners pick with no probe at all.
    expect(r.matmulName).toBe(matmulVariantName(DEFAULT_MATMUL_VARIANT));
    expect(r.conv2d).toBe(ctx.adapter.isFallbackAdapter ? 'direct' : 'tiled');
    setTunedConv2dVariant(ctx, undefined);
    expect(defaultConv2dVariant(ctx)).toBe(r.conv2d);
  });

  it('times the real kernels on this adapter when no timings are given, and picks one of them', async () => {
    const ctx = gpu();
    const lines: string[] = [];
    const r = await probeKernelVariants(ctx, {
      cache: memoryVariantCache(),
      runtime: 'rt',
      rounds: 1,
      onProgress: (l) => lines.push(l),
    });
    expect(r.method).not.toBe('given');
    expect(r.timings.conv2d.map((t) => t.name)).toEqual(['direct', 'tiled']);
    for (const t of [...r.timings.matmul, ...r.timings.conv2d]) expect(t.ms, t.name).toBeGreaterThan(0);
    expect(r.timings.matmul.map((t) => t.name)).toContain(r.matmulName);
    expect(lines.length).toBe(3);
  }, 120_000);
});
