import { afterEach, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { withBuffers } from '../../test/op-check';
import { planMatmul } from './matmul';
import { pickFastest, resetMatmulTuning, tuneMatmul } from './matmul-tune';
import { DEFAULT_MATMUL_VARIANT, MATMUL_TUNE_CANDIDATES, type MatmulVariant } from './matmul-variants';

const gpu = setupGpu();

/** The label planMatmul gives a plan made with no variant on a vec4-aligned shape. */
async function defaultPlanLabel(): Promise<string> {
  const ctx = gpu();
  // Planned, never run: one 8×8 placeholder serves as a, b and c.
  return withBuffers(ctx, { m: new Float32Array(64) }, async (b) => {
    const op = await planMatmul(ctx, { batch: 1, M: 8, N: 8, K: 8 }, { a: b.m!, b: b.m!, c: b.m! });
    op.destroy();
    return op.variant;
  });
}

describe('matmul tuner (shaders/matmul.wgsl)', () => {
  afterEach(() => resetMatmulTuning(gpu()));

  it('pickFastest takes the smallest time and breaks ties by candidate order', () => {
    expect(pickFastest([3, 1, 2])).toBe(1);
    expect(pickFastest([2, 1, 1, 5])).toBe(1);
    expect(pickFastest([4])).toBe(0);
  });

  it('picks the fastest candidate from given timings, caches it per device, and planMatmul uses it', async () => {
    const ctx = gpu();
    const candidates: MatmulVariant[] = [
      { kernel: 'blocked', wgX: 8, wgY: 8 },
      { kernel: 'blocked', wgX: 4, wgY: 4, vec4: false },
      { kernel: 'naive' },
    ];
    const calls: string[] = [];
    const times = [5, 2, 9];
    const timeCandidate = async (v: MatmulVariant) => {
      calls.push(v.kernel);
      return times[candidates.indexOf(v)]!;
    };
    expect(await defaultPlanLabel()).toBe('blocked-vec4 8x8');
    const r = await tuneMatmul(ctx, { candidates, timeCandidate });
    expect(r.variant).toBe(candidates[1]);
    expect(r.name).toBe('blocked-scalar 4x4');
    expect(r.cached).toBe(false);
    expect(r.timings.map((t) => t.ms)).toEqual(times);
    expect(await defaultPlanLabel()).toBe('blocked-scalar 4x4');

    const again = await tuneMatmul(ctx, { candidates, timeCandidate });
    expect(again.cached).toBe(true);
    expect(again.variant).toBe(candidates[1]);
    expect(calls.length).toBe(3);

    times[2] = 1;
    const forced = await tuneMatmul(ctx, { candidates, timeCandidate, force: true });
    expect(forced.name).toBe('naive');
    expect(await defaultPlanLabel()).toBe('naive');

    resetMatmulTuning(ctx);
    expect(await defaultPlanLabel()).toBe('blocked-vec4 8x8');
    expect(DEFAULT_MATMUL_VARIANT.kernel).toBe('blocked');
  });

  it('times the candidates on this adapter and picks one of them', async () => {
    const ctx = gpu();
    const r = await tuneMatmul(ctx);
    const expected = MATMUL_TUNE_CANDIDATES.filter(
      (v) => !(ctx.adapter.isFallbackAdapter && v.kernel === 'tiled'),
    );
    expect(r.timings.length).toBe(expected.length);
    for (const t of r.timings) expect(t.ms).toBeGreaterThan(0);
    expect(expected).toContain(r.variant);
    expect(r.name).toBe(r.timings[pickFastest(r.timings.map((t) => t.ms))]!.name);
    expect(['timestamp', 'wall']).toContain(r.method);
  });
});
