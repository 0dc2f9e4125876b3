import conv2dWgsl from '../../shaders/conv2d.wgsl?raw';
import conv2dDirectWgsl from '../../shaders/conv2d_direct.wgsl?raw';
import { createStorageBuffer } from '../gpu/buffers';
import { bindAt } from '../gpu/bind';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { type Conv2dRefShape, conv2dOutSize } from './conv2d-shape';
import { type Conv2dVariant, tunedConv2dVariant, untunedConv2dVariant } from './conv2d-variant';
import type { ScratchSpec } from './scratch';

/** Each thread computes a 4 × 4 block of outputs (RM × RN in the shader). */
const BLOCK = 4;

/** Workgroup tile: wgM × wgN threads computing a (4·wgM) × (4·wgN) output tile, tk deep in K. */
export interface Conv2dTiles {
  wgM: number;
  wgN: number;
  tk: number;
}

export const DEFAULT_CONV2D_TILES: Conv2dTiles = { wgM: 16, wgN: 16, tk: 8 };

/** PyTorch Conv2d(Cin, Cout, (KH, KW), stride, padding) on NCHW input; dilation 1, groups 1. */
export interface Conv2dShape extends Conv2dRefShape {
  /** Add bias[Cout] in the forward pass (ResNet convs have none). */
  bias?: boolean;
  tiles?: Conv2dTiles;
  /**
   * 'tiled': workgroup-memory tiles (GPUs); 'direct': 4×4 register blocks read straight from
   * memory, no barriers (CPU adapters, where barriers dominate). Default: defaultConv2dVariant
   * (direct on a fallback (software) adapter, tiled otherwise).
   */
  variant?: Conv2dVariant;
  /** Number of fixed chunks the weight-gradient reduction over B·Ho·Wo is cut into (default: heuristic). */
  wgradSplits?: number;
}

export interface Conv2dBuffers {
  x: GPUBuffer; // [B, Cin, H, W]
  w: GPUBuffer; // [Cout, Cin, KH, KW]
  y: GPUBuffer; // [B, Cout, Ho, Wo]
  bias?: GPUBuffer; // [Cout]
  dy?: GPUBuffer; // [B, Cout, Ho, Wo]; needed by both backward passes
  dx?: GPUBuffer; // [B, Cin, H, W]; needed by encodeBackwardInput
  dw?: GPUBuffer; // [Cout, Cin, KH, KW]; needed by encodeBackwardWeight
  db?: GPUBuffer; // [Cout]; needed by encodeBackwardBias
}

export interface Conv2dGradOptions {
  /** Add into the gradient buffer instead of overwriting it. */
  accumulate?: boolean;
}

export interface Conv2dOp {
  readonly Ho: number;
  readonly Wo: number;
  /** The number of chunks the weight-gradient reduction uses (1: no partials, no reduce pass). */
  readonly wgradSplits: number;
  /** The kernel this plan runs. */
  readonly variant: Conv2dVariant;
  /** y = conv(x, w) (+ bias). */
  encodeForward(enc: GPUCommandEncoder): void;
  /** dx (+)= ∂(Σ y ⊙ dy)/∂x. */
  encodeBackwardInput(enc: GPUCommandEncoder, opts?: Conv2dGradOptions): void;
  /** dw (+)= ∂(Σ y ⊙ dy)/∂w, summed over the batch in a fixed order. */
  encodeBackwardWeight(enc: GPUCommandEncoder, opts?: Conv2dGradOptions): void;
  /** db (+)= Σ over batch and positions of dy, in a fixed order. */
  encodeBackwardBias(enc: GPUCommandEncoder, opts?: Conv2dGradOptions): void;
  destroy(): void;
}

const LOWER_SIZE = 'the batch size or the image size';
const LOWER_TILES = 'the conv2d tile sizes (tiles.wgM, tiles.wgN, tiles.tk)';

export type { Conv2dVariant };

/**
 * The variant planConv2d uses when the shape names none: the variant probe's choice for this
 * adapter (src/kernels/variant-probe.ts), else direct on a fallback (software) adapter, tiled otherwise.
 */
export function defaultConv2dVariant(ctx: GpuContext): Conv2dVariant {
  return tunedConv2dVariant(ctx) ?? untunedConv2dVariant(ctx.adapter.isFallbackAdapter);
}

/** Plans the forward pass and, for each of dx, dw, db given with dy, its backward pass, over fixed buffers. */
export async function planConv2d(ctx: GpuContext, s: Conv2dShape, bufs: Conv2dBuffers): Promise<Conv2dOp> {
  const { Ho, Wo } = validate(s);
  checkSharedLimits(ctx, s, bufs, Ho, Wo);
  const variant = s.variant ?? defaultConv2dVariant(ctx);
  const layout = CONV2D_VARIANTS[variant](ctx, s, Ho, Wo);
  return Object.assign(await buildConv2dOp(ctx, s, bufs, Ho, Wo, layout), { variant });
}

/**
 * What a variant decides: its shader and constants, the grid of each pass, and how the weight
 * gradient is split (splits > 1: partials [splits, Cout, Cin·KH·KW], then wgradReduce).
 */
interface Conv2dLayout {
  shader: string;
  label: string;
  constants: Record<string, number>;
  forward: readonly number[];
  dgrad: readonly number[];
  wgrad: readonly number[];
  splits: number;
  splitLen: number;
  /** Bytes of the weight-gradient partials (splits > 1). */
  partialBytes: number;
}

/** Each variant's layout by name: planConv2d looks the variant up here (a probe may pick either). */
export const CONV2D_VARIANTS: Record<
  Conv2dVariant,
  (ctx: GpuContext, s: Conv2dShape, Ho: number, Wo: number) => Conv2dLayout
> = { tiled: tiledLayout, direct: directLayout };

/** The tiled variant (shaders/conv2d.wgsl): workgroup-memory tiles and a split-K weight gradient. */
function tiledLayout(ctx: GpuContext, s: Conv2dShape, Ho: number, Wo: number): Conv2dLayout {
  const t = s.tiles ?? DEFAULT_CONV2D_TILES;
  const TM = t.wgM * BLOCK;
  const TN = t.wgN * BLOCK;
  const NT = t.wgM * t.wgN;
  if (NT % TN !== 0 || NT % t.tk !== 0) {
    throw new Error(`planConv2d: tiles need wgM·wgN divisible by 4·wgN and by tk, got ${JSON.stringify(t)}`);
  }
  const l = ctx.limits;
  checkLimit(l, 'maxComputeInvocationsPerWorkgroup', NT, 'a conv2d workgroup (wgM·wgN threads)', LOWER_TILES);
  checkLimit(l, 'maxComputeWorkgroupSizeX', NT, 'a conv2d workgroup (wgM·wgN threads)', LOWER_TILES);
  checkLimit(l, 'maxComputeWorkgroupStorageSize', (TM + TN) * t.tk * 4, 'conv2d tiles', LOWER_TILES);

  const Kf = s.Cin * s.KH * s.KW;
  const grid = (what: string, n: number, lower: string) => {
    checkLimit(l, 'maxComputeWorkgroupsPerDimension', n, what, lower);
    return Math.max(1, n);
  };
  const R = s.B * Ho * Wo;
  const wTiles = Math.ceil(Kf / TN) * Math.ceil(s.Cout / TM);
  const { splits, splitLen } = wgradSplit(R, wTiles, t.tk, s.Cout * Kf, s.wgradSplits);
  const partialBytes = splits > 1 ? conv2dScratch({ ...s, Ho, Wo }, t, s.wgradSplits)[0]!.bytes : 0;
  return {
    shader: conv2dWgsl,
    label: 'conv2d',
    // Kernel size, stride, padding and bias are uniforms: one set of pipelines serves every conv of a network.
    constants: { WG_M: t.wgM, WG_N: t.wgN, TK: t.tk },
    forward: [
      grid('conv2d forward column tiles', Math.ceil(R / TN), LOWER_SIZE),
      grid('conv2d forward row tiles', Math.ceil(s.Cout / TM), 'the output channels'),
      1,
    ],
    // dgrad runs one z-slice per stride phase; the largest phase holds ceil(H/s)·ceil(W/s) positions.
    dgrad: [
      grid(
        'conv2d dgrad column tiles',
        Math.ceil((s.B * Math.ceil(s.H / s.stride) * Math.ceil(s.W / s.stride)) / TN),
        LOWER_SIZE,
      ),
      grid('conv2d dgrad row tiles', Math.ceil(s.Cin / TM), 'the input channels'),
      grid('conv2d dgrad stride phases', s.stride * s.stride, 'the stride'),
    ],
    wgrad: [
      grid('conv2d wgrad column tiles', Math.ceil(Kf / TN), 'the input channels'),
      grid('conv2d wgrad row tiles', Math.ceil(s.Cout / TM), 'the output channels'),
      grid('conv2d wgrad splits', splits, 'wgradSplits'),
    ],
    splits,
    splitLen,
    partialBytes,
  };
}

const DIRECT_WG = 64;

/** The direct variant (shaders/conv2d_direct.wgsl): one linear grid per pass, no partials. */
function directLayout(ctx: GpuContext, s: Conv2dShape, Ho: number, Wo: number): Conv2dLayout {
  const blocks = (a: number, b: number) =>
    grid1D(ctx, Math.ceil((Math.ceil(a / BLOCK) * Math.ceil(b / BLOCK)) / DIRECT_WG));
  return {
    shader: conv2dDirectWgsl,
    label: 'conv2d_direct',
    constants: { WG: DIRECT_WG },
    forward: blocks(s.B * Ho * Wo, s.Cout),
    dgrad: blocks(s.B * s.H * s.W, s.Cin),
    wgrad: blocks(s.Cin * s.KH * s.KW, s.Cout),
    splits: 1,
    splitLen: 0,
    partialBytes: 0,
  };
}

/**
 * The one op both variants build: compiles the passes the buffers ask for (the bias gradient and
 * the split-K reduce always come from shaders/conv2d.wgsl), allocates the uniforms and partials,
 * binds once and records passes on the layout's grids.
 */
async function buildConv2dOp(
  ctx: GpuContext,
  s: Conv2dShape,
  bufs: Conv2dBuffers,
  Ho: number,
  Wo: number,
  v: Conv2dLayout,
): Promise<Omit<Conv2dOp, 'variant'>> {
  const wantDgrad = Boolean(bufs.dy && bufs.dx);
  const wantWgrad = Boolean(bufs.dy && bufs.dw);
  const wantBiasGrad = Boolean(bufs.dy && bufs.db);
  const split = wantWgrad && v.splits > 1;
  const compile = (entry: string) => ctx.pipelines.compute(v.shader, entry, v.constants, v.label);
  const [fwd, dgrad, wgrad, reduce, biasGrad] = await Promise.all([
    compile('forward'),
    wantDgrad ? compile('dgrad') : undefined,
    wantWgrad ? compile('wgrad') : undefined,
    split ? ctx.pipelines.compute(conv2dWgsl, 'wgradReduce', {}, 'conv2d') : undefined,
    wantBiasGrad ? ctx.pipelines.compute(conv2dWgsl, 'biasGrad', {}, 'conv2d') : undefined,
  ]);
  if (split) checkBufferSize(ctx.limits, v.partialBytes, 'conv2d weight-gradient partials', 'wgradSplits');
  const params = conv2dParams(ctx, s, Ho, Wo, v.splitLen, v.splits);
  const partials = split ? createStorageBuffer(ctx, v.partialBytes, 'conv2d.wgradPartials') : undefined;
  const reduceGroups = grid1D(ctx, Math.ceil((s.Cout * s.Cin * s.KH * s.KW) / 256));

  const fwdBind = bindAt(ctx, fwd, [
    [0, bufs.x],
    [1, bufs.w],
    [2, bufs.y],
    [3, bufs.bias ?? bufs.w],
    [4, params[0]!.buffer],
  ]);
  // One bind group per uniform copy (overwrite, accumulate): encode picks one without a queue write.
  const perParams = (pipe: GPUComputePipeline | undefined, entries: [number, GPUBuffer][], label: string) =>
    pipe && params.map((pr) => bindAt(ctx, pipe, [...entries, [4, pr.buffer]], label));
  const dgradBinds = perParams(
    dgrad,
    [
      [0, bufs.dy!],
      [1, bufs.w],
      [2, bufs.dx!],
    ],
    'conv2d.dgrad',
  );
  const wgradBinds = perParams(
    wgrad,
    [
      [0, bufs.x],
      [1, bufs.dy!],
      [2, partials ?? bufs.dw!],
    ],
    'conv2d.wgrad',
  );
  const reduceBinds = perParams(
    reduce,
    [
      [0, partials!],
      [2, bufs.dw!],
    ],
    'conv2d.wgradReduce',
  );
  const biasGradBinds = perParams(
    biasGrad,
    [
      [0, bufs.dy!],
      [2, bufs.db!],
    ],
    'conv2d.biasGrad',
  );

  return {
    Ho,
    Wo,
    wgradSplits: v.splits,
    encodeForward: (enc) => encodePass(enc, fwd, fwdBind, v.forward, 'conv2d.forward'),
    encodeBackwardInput(enc, opts = {}) {
      if (!dgrad || !dgradBinds)
        throw new Error('conv2d: backward input needs dy and dx buffers at plan time');
      encodePass(enc, dgrad, dgradBinds[opts.accumulate ? 1 : 0]!, v.dgrad, 'conv2d.dgrad');
    },
    encodeBackwardWeight(enc, opts = {}) {
      if (!wgrad || !wgradBinds)
        throw new Error('conv2d: backward weight needs dy and dw buffers at plan time');
      const acc = opts.accumulate ? 1 : 0;
      encodePass(enc, wgrad, wgradBinds[acc]!, v.wgrad, 'conv2d.wgrad');
      if (reduce && reduceBinds)
        encodePass(enc, reduce, reduceBinds[acc]!, reduceGroups, 'conv2d.wgradReduce');
    },
    encodeBackwardBias(enc, opts = {}) {
      if (!biasGrad || !biasGradBinds)
        throw new Error('conv2d: backward bias needs dy and db buffers at plan time');
      encodePass(enc, biasGrad, biasGradBinds[opts.accumulate ? 1 : 0]!, [s.Cout, 1, 1], 'conv2d.biasGrad');
    },
    destroy() {
      for (const pr of params) pr.buffer.destroy();
      partials?.destroy();
    },
  };
}

function validate(s: Conv2dShape): { Ho: number; Wo: number } {
  for (const k of ['B', 'Cin', 'H', 'W', 'Cout', 'KH', 'KW', 'stride'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new Error(`planConv2d: ${k} must be a positive integer`);
  }
  if (!Number.isInteger(s.pad) || s.pad < 0)
    throw new Error('planConv2d: pad must be a non-negative integer');
  const out = conv2dOutSize(s);
  if (out.Ho < 1 || out.Wo < 1) {
    throw new Error(
      `planConv2d: a ${s.KH}×${s.KW} kernel does not fit a ${s.H}×${s.W} image padded by ${s.pad}`,
    );
  }
  return out;
}

/**
 * Cuts the weight-gradient reduction (R = B·Ho·Wo terms per weight) into chunks of whole K tiles:
 * enough chunks to give a large GPU ~256 workgroups, each at least 8 tiles deep, and partials
 * of at most 64 MiB.
 */
/**
 * What the tiled planConv2d allocates for itself beyond its uniforms, planned with the weight
 * gradient: the split-K weight-gradient partials [splits, Cout, Cin·KH·KW] when it splits.
 */
export function conv2dScratch(
  s: { B: number; Cin: number; Cout: number; KH: number; KW: number; Ho: number; Wo: number },
  tiles: Conv2dTiles = DEFAULT_CONV2D_TILES,
  wgradSplits?: number,
): ScratchSpec[] {
  const Kf = s.Cin * s.KH * s.KW;
  const outputTiles = Math.ceil(Kf / (tiles.wgN * BLOCK)) * Math.ceil(s.Cout / (tiles.wgM * BLOCK));
  const { splits } = wgradSplit(s.B * s.Ho * s.Wo, outputTiles, tiles.tk, s.Cout * Kf, wgradSplits);
  return splits > 1 ? [{ name: 'wgradPartials', bytes: splits * s.Cout * Kf * 4 }] : [];
}

export function wgradSplit(
  R: number,
  outputTiles: number,
  tk: number,
  weightCount: number,
  requested?: number,
): { splits: number; splitLen: number } {
  let want = requested;
  if (want === undefined) {
    const byDepth = Math.max(1, Math.floor(R / (8 * tk)));
    const byMemory = Math.max(1, Math.floor((64 * 1024 * 1024) / (weightCount * 4)));
    want = Math.min(Math.ceil(256 / outputTiles), byDepth, byMemory);
  }
  if (!Number.isInteger(want) || want < 1)
    throw new Error('planConv2d: wgradSplits must be a positive integer');
  const splitLen = Math.ceil(Math.ceil(R / Math.max(1, want)) / tk) * tk;
  return { splits: Math.ceil(R / splitLen), splitLen };
}

/** Checks both variants need: buffer sizes, the bias buffer, the bias-gradient grid (one workgroup per channel). */
function checkSharedLimits(
  ctx: GpuContext,
  s: Conv2dShape,
  bufs: Conv2dBuffers,
  Ho: number,
  Wo: number,
): void {
  const l = ctx.limits;
  checkBufferSize(l, s.B * s.Cin * s.H * s.W * 4, 'conv2d input x', LOWER_SIZE);
  checkBufferSize(l, s.B * s.Cout * Ho * Wo * 4, 'conv2d output y', LOWER_SIZE);
  checkBufferSize(l, s.Cout * s.Cin * s.KH * s.KW * 4, 'conv2d weight', 'the channel counts');
  if (s.bias && !bufs.bias) throw new Error('planConv2d: bias requested but no bias buffer given');
  if (bufs.dy && bufs.db) {
    checkLimit(l, 'maxComputeWorkgroupsPerDimension', s.Cout, 'conv2d bias gradient', 'the output channels');
  }
}

/**
 * The uniform block of both variants, twice: the copies differ only in `accumulate`, so encode()
 * picks one without a queue write. The direct variant has no wgrad splits (splitLen 0, splits 1).
 */
function conv2dParams(
  ctx: GpuContext,
  s: Conv2dShape,
  Ho: number,
  Wo: number,
  splitLen: number,
  splits: number,
) {
  return [0, 1].map((acc) =>
    createParams(ctx, `conv2d.params${acc ? '.acc' : ''}`, [
      ['u32', s.B],
      ['u32', s.Cin],
      ['u32', s.H],
      ['u32', s.W],
      ['u32', s.Cout],
      ['u32', Ho],
      ['u32', Wo],
      ['u32', s.KH],
      ['u32', s.KW],
      ['u32', s.stride],
      ['u32', s.pad],
      ['u32', acc],
      ['u32', splitLen],
      ['u32', splits],
      ['u32', s.bias ? 1 : 0],
    ]),
  );
}
