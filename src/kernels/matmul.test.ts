import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type OpSpec, sameBits, withBuffers } from '../../test/op-check';
import { GpuLimitError } from '../gpu/errors';
import {
  foldGrid,
  type MatmulOp,
  type MatmulShape,
  type MatmulVariant,
  planMatmul,
  vec4Aligned,
} from './matmul';
import { matmulRef } from './matmul.ref';
import { matmulVariantName } from './matmul-variants';

const gpu = setupGpu();

interface Case {
  s: MatmulShape;
  variant?: MatmulVariant;
}

/** C = α·op(A)·op(B) (+ bias) (+ C) over strided batches; C starts random so accumulate shows. */
const matmul: OpSpec<Case, MatmulOp> = {
  name: 'matmul',
  data({ s }, rng) {
    const aLen = (s.offsetA ?? 0) + (s.strideA ?? s.M * s.K) * (s.batch - 1) + s.M * s.K;
    const bLen = (s.offsetB ?? 0) + (s.strideB ?? s.K * s.N) * (s.batch - 1) + s.K * s.N;
    const cLen = (s.offsetC ?? 0) + (s.strideC ?? s.M * s.N) * (s.batch - 1) + s.M * s.N;
    return {
      a: rng.uniformArray(aLen),
      b: rng.uniformArray(bLen),
      c: rng.uniformArray(cLen),
      bias: rng.uniformArray(Math.max(s.M, s.N)),
    };
  },
  plan: (ctx, { s, variant }, b) =>
    planMatmul(ctx, s, { a: b.a!, b: b.b!, c: b.c!, bias: b.bias }, { variant }),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref: ({ s }, d) => ({ c: matmulRef(s, d.a!, d.b!, Float64Array.from(d.c!), d.bias!) }),
    tol: ({ s }) => [1e-5 * Math.sqrt(s.K) + 1e-6, 1e-5],
  },
};

/** Runs and checks one case; returns the plan's variant label. */
async function check(s: MatmulShape, seed: number, variant?: MatmulVariant) {
  return (await checkOp(gpu(), matmul, { s, variant }, { seed })).op.variant;
}

// Every kernel on every case. Workgroup shapes differ so tile edges fall differently. (Pipelines
// dominate the test time on SwiftShader: the cases share few flag combinations on purpose.)
const VARIANTS: MatmulVariant[] = [
  { kernel: 'naive' },
  { kernel: 'blocked', wgX: 8, wgY: 8 },
  { kernel: 'blocked', wgX: 16, wgY: 4, vec4: false },
  { kernel: 'tiled', wgX: 4, wgY: 16, bk: 8 },
  { kernel: 'wide', wgX: 4, wgY: 2 },
];

// Awkward shapes: 1s, primes, K not a multiple of 4, edges off every tile, each transpose
// combination both vec4-aligned and not, broadcast and padded strides, offsets, every epilogue flag.
const CASES: MatmulShape[] = [
  { batch: 1, M: 1, N: 1, K: 1 },
  { batch: 3, M: 17, N: 13, K: 7 },
  { batch: 2, M: 1, N: 37, K: 1 },
  { batch: 2, M: 41, N: 1, K: 5, transB: true },
  { batch: 2, M: 33, N: 65, K: 31, transA: true },
  { batch: 2, M: 5, N: 70, K: 19, transB: true },
  { batch: 2, M: 9, N: 11, K: 3, transA: true, transB: true, alpha: -0.5 },
  { batch: 4, M: 64, N: 37, K: 6, strideA: 0, bias: 'row' },
  { batch: 1, M: 23, N: 29, K: 41, transA: true, bias: 'col', accumulate: true },
  { batch: 2, M: 7, N: 5, K: 3, offsetA: 3, offsetB: 5, offsetC: 11, strideC: 40 },
  { batch: 1, M: 257, N: 129, K: 300 },
  { batch: 2, M: 5, N: 8, K: 0, bias: 'row', accumulate: true },
  // vec4-aligned, one per transpose combination, edges still off the tiles
  { batch: 3, M: 37, N: 44, K: 20, strideA: 0, bias: 'row', alpha: 0.75 },
  { batch: 2, M: 36, N: 44, K: 9, transA: true, offsetA: 8, offsetB: 4, bias: 'col' },
  { batch: 2, M: 21, N: 45, K: 12, transB: true, strideB: 0, accumulate: true },
  { batch: 3, M: 12, N: 7, K: 28, transA: true, transB: true, strideA: 400, strideC: 100, offsetC: 3 },
  { batch: 2, M: 68, N: 132, K: 64, strideB: 0, offsetA: 4, offsetB: 8, accumulate: true, alpha: 2 },
];

describe('matmul (shaders/matmul.wgsl)', () => {
  it('the cases include vec4-aligned shapes for every transpose combination', () => {
    const aligned = CASES.filter((s) => vec4Aligned(s)).map((s) => `${!!s.transA}${!!s.transB}`);
    expect(new Set(aligned).size).toBe(4);
  });

  for (const v of VARIANTS) {
    describe(matmulVariantName(v), () => {
      it.each(CASES.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_name, s, i) => {
        const label = await check(s, 100 + i, v);
        if (v.kernel === 'blocked') {
          const vec4 = v.vec4 !== false && vec4Aligned(s);
          expect(label.startsWith(vec4 ? 'blocked-vec4' : 'blocked-scalar')).toBe(true);
        }
        // wide runs its 8×8 kernel where vec4 loads can read the operands, else blocked scalar.
        if (v.kernel === 'wide')
          expect(label.startsWith(vec4Aligned(s) ? 'wide-vec4' : 'blocked-scalar')).toBe(true);
      });
    });
  }

  it('the default plan (no variant) is correct', async () => {
    await check({ batch: 2, M: 19, N: 64, K: 32, transB: true, bias: 'col' }, 7);
  });

  it('gives bit-identical results on repeated runs', async () => {
    const s: MatmulShape = { batch: 2, M: 45, N: 52, K: 77, bias: 'row' };
    for (const v of VARIANTS.slice(1)) {
      const r1 = await checkOp(gpu(), matmul, { s, variant: v }, { seed: 3 });
      const r2 = await checkOp(gpu(), matmul, { s, variant: v }, { seed: 3 });
      expect(sameBits(r1.forward.c!, r2.forward.c!)).toBe(true);
    }
  });

  it('folds a grid larger than maxComputeWorkgroupsPerDimension', async () => {
    const max = gpu().limits.maxComputeWorkgroupsPerDimension;
    await check({ batch: max + 7, M: 1, N: 1, K: 2, bias: 'col' }, 11, { kernel: 'blocked', wgX: 1, wgY: 1 });
  });

  it('folds into y and z, and workgroups past the end do nothing (limit lowered to 7)', async () => {
    const real = gpu();
    const ctx = { ...real, limits: { ...real.limits, maxComputeWorkgroupsPerDimension: 7 } };
    // 3 × 3 tiles × 7 batches = 63 workgroups on a 7 × 7 × 2 grid.
    const s: MatmulShape = { batch: 7, M: 37, N: 44, K: 12, bias: 'row' };
    for (const v of VARIANTS.slice(1)) {
      const small = { ...v, wgX: 4, wgY: 4 };
      await checkOp(real, matmul, { s, variant: small }, { seed: 13, ctx, forwardTol: [1e-5, 1e-5] });
    }
    expect(foldGrid(ctx.limits, 63)).toEqual([7, 7, 2]);
    expect(foldGrid(ctx.limits, 7 * 7 * 7)).toEqual([7, 7, 7]);
    expect(() => foldGrid(ctx.limits, 7 * 7 * 7 + 1)).toThrow(GpuLimitError);
  });

  it('throws GpuLimitError naming the limit for impossible sizes', async () => {
    const ctx = gpu();
    await withBuffers(ctx, { tiny: new Float32Array(4) }, async ({ tiny }) => {
      const bufs = { a: tiny!, b: tiny!, c: tiny! };
      const expectLimit = async (p: Promise<unknown>, limit: RegExp) => {
        const e = await p.then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(GpuLimitError);
        expect((e as GpuLimitError).limit).toMatch(limit);
        expect((e as Error).message).toContain((e as GpuLimitError).limit);
        expect((e as Error).message).toContain('lower');
      };
      // A alone would span 2 GiB.
      await expectLimit(
        planMatmul(ctx, { batch: 1, M: 65536, N: 1, K: 8192 }, bufs),
        /^max(StorageBufferBinding|Buffer)Size$/,
      );
      const max = ctx.limits.maxComputeWorkgroupsPerDimension;
      await expectLimit(
        planMatmul(ctx, { batch: max + 1, M: 1, N: 1, K: 1, strideA: 0, strideB: 0, strideC: 0 }, bufs, {
          variant: { kernel: 'naive' },
        }),
        /^maxComputeWorkgroupsPerDimension$/,
      );
      await expectLimit(
        planMatmul(ctx, { batch: 1, M: 1, N: 1, K: 1 }, bufs, {
          variant: { kernel: 'blocked', wgX: 64, wgY: 64 },
        }),
        /^maxComputeInvocationsPerWorkgroup$/,
      );
      const bk = 4 * Math.ceil((ctx.limits.maxComputeWorkgroupStorageSize / 256 + 1) / 4);
      await expectLimit(
        planMatmul(ctx, { batch: 1, M: 1, N: 1, K: 1 }, bufs, {
          variant: { kernel: 'tiled', wgX: 8, wgY: 8, bk },
        }),
        /^maxComputeWorkgroupStorageSize$/,
      );
    });
  });

  it('rejects buffers smaller than the shape addresses', async () => {
    const ctx = gpu();
    await withBuffers(
      ctx,
      { small: new Float32Array(10), ok: new Float32Array(12) },
      async ({ small, ok }) => {
        await expect(
          planMatmul(ctx, { batch: 1, M: 3, N: 4, K: 4 }, { a: small!, b: ok!, c: ok! }),
        ).rejects.toThrow(/matmul A .* needs 48 bytes but its buffer has 40/);
      },
    );
  });
});
