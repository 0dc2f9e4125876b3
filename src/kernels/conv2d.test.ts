import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, sameBits, withBuffers } from '../../test/op-check';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { type Conv2dOp, type Conv2dShape, planConv2d } from './conv2d';
import {
  conv2dBackwardBiasRef,
  conv2dBackwardInputRef,
  conv2dBackwardWeightRef,
  conv2dOutSize,
  conv2dRef,
} from './conv2d.ref';

const gpu = setupGpu();

interface Case extends Conv2dShape {
  /** The three backward passes add into dx, dw and db. */
  accumulate?: boolean;
}

const plus = (a: Float64Array, b: ArrayLike<number>, on: boolean) => (on ? a.map((v, i) => v + b[i]!) : a);
// Tolerances scale with the length of each dot product (inputs are U(−1, 1)).
const sumTol = (terms: number) => [2e-6 * Math.sqrt(terms) + 1e-6, 1e-5] as const;

/** One forward, then dgrad, wgrad and the bias gradient (all with dy), against the float64 reference. */
const conv2d: OpSpec<Case, Conv2dOp> = {
  name: 'conv2d',
  data(s, rng) {
    const { Ho, Wo } = conv2dOutSize(s);
    return {
      x: rng.uniformArray(s.B * s.Cin * s.H * s.W), // [B, Cin, H, W]
      w: rng.uniformArray(s.Cout * s.Cin * s.KH * s.KW), // [Cout, Cin, KH, KW]
      bias: rng.uniformArray(s.Cout), // [Cout]
      y: new Float32Array(s.B * s.Cout * Ho * Wo), // [B, Cout, Ho, Wo]
      dy: rng.uniformArray(s.B * s.Cout * Ho * Wo),
      dx: rng.uniformArray(s.B * s.Cin * s.H * s.W), // the bases when accumulating
      dw: rng.uniformArray(s.Cout * s.Cin * s.KH * s.KW),
      db: rng.uniformArray(s.Cout),
    };
  },
  plan: (ctx, { accumulate: _a, ...s }, b) => planConv2d(ctx, s, { ...b, x: b.x!, w: b.w!, y: b.y! }),
  forward: {
    ref: (s, d) => ({ y: conv2dRef(s, d.x!, d.w!, s.bias ? d.bias : undefined) }),
    tol: (s) => sumTol(s.Cin * s.KH * s.KW),
  },
  backward: {
    encode(op, enc, s) {
      const o = { accumulate: Boolean(s.accumulate) };
      op.encodeBackwardInput(enc, o);
      op.encodeBackwardWeight(enc, o);
      op.encodeBackwardBias(enc, o);
    },
    ref: (s, d) => ({
      dx: plus(conv2dBackwardInputRef(s, d.dy!, d.w!), d.dx!, Boolean(s.accumulate)),
      dw: plus(conv2dBackwardWeightRef(s, d.x!, d.dy!), d.dw!, Boolean(s.accumulate)),
      db: plus(conv2dBackwardBiasRef(s, d.dy!), d.db!, Boolean(s.accumulate)),
    }),
    tol(s, b) {
      const { Ho, Wo } = conv2dOutSize(s);
      return b === 'dx' ? sumTol(s.Cout * s.KH * s.KW) : sumTol(s.B * Ho * Wo);
    },
  },
  gradients: {
    cotangents: { y: 'dy' },
    inputs: { x: 'dx', w: 'dw', bias: 'db' },
    eps: 1e-3,
    samples: 12,
    tol: [1e-4, 1e-4],
  },
};

const base = { stride: 1, pad: 0 };
const cases: Conv2dShape[] = [
  // 1×1 (bottleneck) and 1×1 stride 2 (downsample: odd input rows and columns get no gradient)
  { ...base, B: 3, Cin: 17, Cout: 5, H: 13, W: 11, KH: 1, KW: 1 },
  { ...base, B: 1, Cin: 5, Cout: 17, H: 13, W: 11, KH: 1, KW: 1, stride: 2 },
  // 3×3 stride 1 pad 1, with bias
  { B: 3, Cin: 5, Cout: 17, H: 13, W: 11, KH: 3, KW: 3, stride: 1, pad: 1, bias: true },
  // 3×3 stride 2 pad 1
  { B: 3, Cin: 17, Cout: 5, H: 13, W: 11, KH: 3, KW: 3, stride: 2, pad: 1 },
  { B: 1, Cin: 64, Cout: 64, H: 8, W: 8, KH: 3, KW: 3, stride: 2, pad: 1 },
  // the stem: 7×7 stride 2 pad 3
  { B: 1, Cin: 3, Cout: 17, H: 32, W: 32, KH: 7, KW: 7, stride: 2, pad: 3 },
  { B: 3, Cin: 1, Cout: 3, H: 13, W: 11, KH: 7, KW: 7, stride: 2, pad: 3 },
  // a kernel larger than the image, single channels, a non-square kernel with stride 3
  { B: 1, Cin: 2, Cout: 3, H: 3, W: 2, KH: 7, KW: 7, stride: 2, pad: 3 },
  { ...base, B: 1, Cin: 1, Cout: 1, H: 5, W: 4, KH: 3, KW: 3 },
  { B: 2, Cin: 3, Cout: 5, H: 11, W: 13, KH: 5, KW: 3, stride: 3, pad: 2 },
  // other tiles, and a forced split count for the weight-gradient reduction
  {
    B: 3,
    Cin: 5,
    Cout: 17,
    H: 13,
    W: 11,
    KH: 3,
    KW: 3,
    stride: 2,
    pad: 1,
    tiles: { wgM: 8, wgN: 8, tk: 8 },
    wgradSplits: 5,
  },
];

const VARIANTS = ['tiled', 'direct'] as const;

describe('conv2d (shaders/conv2d.wgsl, shaders/conv2d_direct.wgsl)', () => {
  it.each(
    VARIANTS.flatMap((variant) =>
      cases
        .filter((c) => variant === 'tiled' || (!c.tiles && !c.wgradSplits))
        .map((c, i) => [`${variant} ${JSON.stringify(c)}`, { ...c, variant }, i] as const),
    ),
  )('forward, dx and dw match the reference: %s', async (_name, s, i) => {
    await checkOp(gpu(), conv2d, s, { seed: 10 + i });
  });

  it.each(VARIANTS)('%s: a cross-correlation as in PyTorch, with bias (hand-computed)', async (variant) => {
    const s: Conv2dShape = {
      B: 1,
      Cin: 1,
      H: 3,
      W: 3,
      Cout: 1,
      KH: 2,
      KW: 2,
      stride: 1,
      pad: 0,
      bias: true,
      variant,
    };
    const data = {
      ...conv2d.data(s, new Rng(1)),
      x: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9),
      w: Float32Array.of(1, 0, 0, -1),
      bias: Float32Array.of(0.5),
    };
    const got = await checkOp(gpu(), conv2d, s, { data });
    // y[i, j] = x[i, j] − x[i + 1, j + 1] + 0.5 (a flipped kernel would give +4.5)
    expect([...got.forward.y!]).toEqual([-3.5, -3.5, -3.5, -3.5]);
  });

  it('splits the weight-gradient reduction by default at a ResNet-like shape', async () => {
    // B·Ho·Wo = 2·16·16 = 512 terms for 9 weights per (co, ci): more than one chunk.
    const s: Conv2dShape = {
      B: 2,
      Cin: 3,
      Cout: 4,
      H: 16,
      W: 16,
      KH: 3,
      KW: 3,
      stride: 1,
      pad: 1,
      variant: 'tiled',
    };
    expect((await checkOp(gpu(), conv2d, s, { seed: 40 })).op.wgradSplits).toBeGreaterThan(1);
  });

  it.each([
    [{ B: 3, Cin: 5, Cout: 3, H: 13, W: 11, KH: 3, KW: 3, stride: 2, pad: 1, variant: 'tiled' }],
    [
      {
        B: 2,
        Cin: 3,
        Cout: 4,
        H: 9,
        W: 10,
        KH: 7,
        KW: 7,
        stride: 2,
        pad: 3,
        wgradSplits: 1,
        variant: 'tiled',
      },
    ],
    [{ B: 3, Cin: 5, Cout: 3, H: 13, W: 11, KH: 3, KW: 3, stride: 2, pad: 1, variant: 'direct' }],
  ] as [Conv2dShape][])('accumulates into dx, dw and db: %j', async (s) => {
    await checkOp(gpu(), conv2d, { ...s, accumulate: true }, { seed: 50 });
  });

  it.each([
    [{ B: 3, Cin: 5, Cout: 3, H: 13, W: 11, KH: 3, KW: 3, stride: 2, pad: 1 }],
    [{ B: 1, Cin: 3, Cout: 4, H: 13, W: 11, KH: 7, KW: 7, stride: 2, pad: 3 }],
    [{ B: 3, Cin: 4, Cout: 5, H: 7, W: 6, KH: 1, KW: 1, stride: 2, pad: 0 }],
    [{ B: 2, Cin: 3, Cout: 5, H: 9, W: 7, KH: 3, KW: 3, stride: 2, pad: 1, variant: 'direct' }],
  ] as [Conv2dShape][])(
    'dx, dw and db match the reference and central differences of Σ y ⊙ G: %j',
    async (s) => {
      await checkOp(gpu(), conv2d, s, { seed: 60 });
      // The bias is differenced too, so the reference adds it.
      expect(checkGradients(conv2d, { ...s, bias: true }, 60)).toBe(12 + 12 + Math.min(12, s.Cout));
    },
  );

  it.each(VARIANTS)(
    '%s is deterministic: the same inputs give bit-identical y, dx, dw and db',
    async (variant) => {
      const s: Conv2dShape = {
        B: 3,
        Cin: 17,
        Cout: 5,
        H: 16,
        W: 15,
        KH: 3,
        KW: 3,
        stride: 1,
        pad: 1,
        variant,
      };
      const a = await checkOp(gpu(), conv2d, s, { seed: 70 });
      const b = await checkOp(gpu(), conv2d, s, { seed: 70 });
      if (variant === 'tiled') expect(a.op.wgradSplits).toBeGreaterThan(1);
      expect(sameBits(a.forward.y!, b.forward.y!), 'y').toBe(true);
      for (const k of ['dx', 'dw', 'db']) expect(sameBits(a.backward[k]!, b.backward[k]!), k).toBe(true);
    },
  );

  it('names the limit it exceeds', async () => {
    const ctx = gpu();
    const s: Conv2dShape = {
      B: 1,
      Cin: 3,
      Cout: 8,
      H: 8,
      W: 8,
      KH: 3,
      KW: 3,
      stride: 1,
      pad: 1,
      variant: 'tiled',
    };
    await withBuffers(ctx, { tiny: new Float32Array(4) }, async ({ tiny }) => {
      const bufs = { x: tiny!, w: tiny!, y: tiny! };
      const limitOf = async (shape: Conv2dShape) => {
        const e = await planConv2d(ctx, shape, bufs).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(GpuLimitError);
        return (e as GpuLimitError).limit;
      };
      const l = ctx.limits;
      // An input image larger than one storage binding.
      const side = Math.ceil(Math.sqrt(l.maxStorageBufferBindingSize / 4 / 3)) + 1;
      expect(await limitOf({ ...s, H: side, W: side })).toMatch(/^max(StorageBufferBindingSize|BufferSize)$/);
      expect(await limitOf({ ...s, H: side, W: side, variant: 'direct' })).toMatch(
        /^max(StorageBufferBindingSize|BufferSize)$/,
      );
      // Too many threads per workgroup, then too much workgroup memory.
      const wg = Math.sqrt(l.maxComputeInvocationsPerWorkgroup) * 2;
      expect(await limitOf({ ...s, tiles: { wgM: wg, wgN: wg / 2, tk: 16 } })).toBe(
        'maxComputeInvocationsPerWorkgroup',
      );
      // (64 + 64) · 256 floats = 128 KiB of tiles.
      expect(await limitOf({ ...s, tiles: { wgM: 16, wgN: 16, tk: 256 } })).toBe(
        'maxComputeWorkgroupStorageSize',
      );
    });
  });
});
