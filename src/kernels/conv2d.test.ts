import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { type Conv2dShape, planConv2d } from './conv2d';
import {
  conv2dBackwardBiasRef,
  conv2dBackwardInputRef,
  conv2dBackwardWeightRef,
  conv2dOutSize,
  conv2dRef,
} from './conv2d.ref';

const gpu = setupGpu();

interface Run {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
  dx0: Float32Array;
  dw0: Float32Array;
  db0: Float32Array;
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
  splits: number;
}

/** Random inputs, one forward, one dgrad and one wgrad on the GPU; returns inputs and outputs. */
async function run(s: Conv2dShape, seed: number, accumulate = false): Promise<Run> {
  const ctx = gpu();
  const rng = new Rng(seed);
  const { Ho, Wo } = conv2dOutSize(s);
  const x = rng.uniformArray(s.B * s.Cin * s.H * s.W);
  const w = rng.uniformArray(s.Cout * s.Cin * s.KH * s.KW);
  const bias = rng.uniformArray(s.Cout);
  const dy = rng.uniformArray(s.B * s.Cout * Ho * Wo);
  const dx0 = rng.uniformArray(x.length);
  const dw0 = rng.uniformArray(w.length);
  const db0 = rng.uniformArray(s.Cout);
  const bufs = {
    x: createBufferFrom(ctx, x),
    w: createBufferFrom(ctx, w),
    bias: createBufferFrom(ctx, bias),
    y: createStorageBuffer(ctx, dy.length * 4),
    dy: createBufferFrom(ctx, dy),
    dx: createBufferFrom(ctx, dx0),
    dw: createBufferFrom(ctx, dw0),
    db: createBufferFrom(ctx, db0),
  };
  const op = await planConv2d(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc);
    op.encodeBackwardInput(enc, { accumulate });
    op.encodeBackwardWeight(enc, { accumulate });
    op.encodeBackwardBias(enc, { accumulate });
  });
  const out = {
    y: await readF32(ctx, bufs.y, dy.length),
    dx: await readF32(ctx, bufs.dx, x.length),
    dw: await readF32(ctx, bufs.dw, w.length),
    db: await readF32(ctx, bufs.db, s.Cout),
  };
  const splits = op.wgradSplits;
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return { x, w, bias, dy, dx0, dw0, db0, ...out, splits };
}

function plus(a: Float64Array, b: Float32Array): Float64Array {
  return a.map((v, i) => v + b[i]!);
}

/** GPU forward, dgrad, wgrad and bias gradient against the float64 reference and its analytic backward. */
function checkAgainstRef(s: Conv2dShape, r: Run, accumulate = false) {
  const name = JSON.stringify(s);
  const { Ho, Wo } = conv2dOutSize(s);
  // Tolerances scale with the length of each dot product (inputs are U(−1, 1)).
  const tol = (terms: number) => 2e-6 * Math.sqrt(terms) + 1e-6;
  const y = conv2dRef(s, r.x, r.w, s.bias ? r.bias : undefined);
  expectClose(r.y, y, tol(s.Cin * s.KH * s.KW), 1e-5, `y ${name}`);
  let dx = conv2dBackwardInputRef(s, r.dy, r.w);
  let dw = conv2dBackwardWeightRef(s, r.x, r.dy);
  let db = conv2dBackwardBiasRef(s, r.dy);
  if (accumulate) {
    dx = plus(dx, r.dx0);
    dw = plus(dw, r.dw0);
    db = plus(db, r.db0);
  }
  expectClose(r.dx, dx, tol(s.Cout * s.KH * s.KW), 1e-5, `dx ${name}`);
  expectClose(r.dw, dw, tol(s.B * Ho * Wo), 1e-5, `dw ${name}`);
  expectClose(r.db, db, tol(s.B * Ho * Wo), 1e-5, `db ${name}`);
}

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
    checkAgainstRef(s, await run(s, 10 + i));
  });

  it.each(VARIANTS)('%s: a cross-correlation as in PyTorch, with bias (hand-computed)', async (variant) => {
    const ctx = gpu();
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
    const bufs = {
      x: createBufferFrom(ctx, Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)),
      w: createBufferFrom(ctx, Float32Array.of(1, 0, 0, -1)),
      bias: createBufferFrom(ctx, Float32Array.of(0.5)),
      y: createStorageBuffer(ctx, 16),
    };
    const op = await planConv2d(ctx, s, bufs);
    await submitAndWait(ctx, (enc) => op.encodeForward(enc));
    // y[i, j] = x[i, j] − x[i + 1, j + 1] + 0.5 (a flipped kernel would give +4.5)
    expect([...(await readF32(ctx, bufs.y, 4))]).toEqual([-3.5, -3.5, -3.5, -3.5]);
    op.destroy();
    for (const b of Object.values(bufs)) b.destroy();
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
    const r = await run(s, 40);
    expect(r.splits).toBeGreaterThan(1);
    checkAgainstRef(s, r);
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
    checkAgainstRef(s, await run(s, 50, true), true);
  });

  it.each([
    [{ B: 3, Cin: 5, Cout: 3, H: 13, W: 11, KH: 3, KW: 3, stride: 2, pad: 1 }],
    [{ B: 1, Cin: 3, Cout: 4, H: 13, W: 11, KH: 7, KW: 7, stride: 2, pad: 3 }],
    [{ B: 3, Cin: 4, Cout: 5, H: 7, W: 6, KH: 1, KW: 1, stride: 2, pad: 0 }],
    [{ B: 2, Cin: 3, Cout: 5, H: 9, W: 7, KH: 3, KW: 3, stride: 2, pad: 1, variant: 'direct' }],
  ] as [Conv2dShape][])('dx, dw and db match central differences of Σ y ⊙ G: %j', async (s) => {
    const r = await run(s, 60);
    const x = Float64Array.from(r.x);
    const w = Float64Array.from(r.w);
    const bias = Float64Array.from(r.bias);
    const f = () => conv2dRef(s, x, w, bias).reduce((acc, v, i) => acc + v * r.dy[i]!, 0);
    for (const [what, param, grad] of [
      ['dx', x, r.dx],
      ['dw', w, r.dw],
      ['db', bias, r.db],
    ] as const) {
      const idx = sampleIndices(param.length, 12, 7);
      const fd = idx.map((i) => centralDiff(f, param, i, 1e-3));
      expectClose(
        idx.map((i) => grad[i]!),
        fd,
        1e-4,
        1e-4,
        `${what} vs finite differences`,
      );
    }
  });

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
      const a = await run(s, 70);
      const b = await run(s, 70);
      if (variant === 'tiled') expect(a.splits).toBeGreaterThan(1);
      for (const k of ['y', 'dx', 'dw', 'db'] as const) {
        expect(new Uint32Array(a[k].buffer), k).toEqual(new Uint32Array(b[k].buffer));
      }
    },
  );

  it('names the limit it exceeds', async () => {
    const ctx = gpu();
    const tiny = createStorageBuffer(ctx, 16);
    const bufs = { x: tiny, w: tiny, y: tiny };
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
    tiny.destroy();
  });
});
