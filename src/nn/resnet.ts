import type { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { type ActivationOp, planActivation } from '../kernels/activation';
import { type BatchNormMode, type BatchNormOp, batchNormScratch, planBatchNorm } from '../kernels/batchnorm';
import {
  type Conv2dOp,
  type Conv2dTiles,
  conv2dScratch,
  DEFAULT_CONV2D_TILES,
  planConv2d,
} from '../kernels/conv2d';
import { type MaxPool2dOp, planMaxPool2d } from '../kernels/maxpool2d';
import { type PoolOp, planPooling } from '../kernels/pooling';
import { type ScaleAddOp, planScaleAdd } from '../kernels/scale_add';
import { ParamStore } from './param-store';
import { type ProjectionHead, type ProjectionHeadConfig, planProjectionHead } from './projection-head';
import { type BufferSpec, kernelScratch, paramBufferSpecs } from './buffer-plan';
import { type ResNetConfig, resnetFeatureWidth, resnetParamSpecs } from './resnet-config';
import {
  type ConvLayer,
  type ResNetLayout,
  resnetBufferNames,
  resnetBufferSpecs,
  resnetLayout,
} from './resnet-plan';

/**
 * The image encoder: a torchvision ResNet without fc (stem conv → BN → ReLU [→ 3×3/2 max pool],
 * basic or bottleneck blocks, global average pool) and CrossPoint's image head (inv_head:
 * Linear feat→hidden, no bias → BatchNorm1d → ReLU → Linear hidden→proj, no bias;
 * src/nn/projection-head.ts).
 * Every buffer is allocated once, in the arena, from resnetBufferSpecs (src/nn/resnet-plan.ts).
 */
export interface ResNet {
  readonly config: ResNetConfig;
  readonly layout: ResNetLayout;
  readonly batch: number;
  readonly imageSize: number;
  readonly featureWidth: number;
  /** Every tensor of resnetParamSpecs(config), by reference name. */
  readonly params: ParamStore;
  /** [B, 3, S, S] images (already normalised). */
  readonly input: GPUBuffer;
  /** [B, F] pooled backbone features (F = 2048 for ResNet-50). */
  readonly features: GPUBuffer;
  /** [B, proj] head output. */
  readonly projections: GPUBuffer;
  /** [B, proj] gradient of the loss w.r.t. projections; the caller writes it before encodeBackward. */
  readonly dProjections: GPUBuffer;
  /** [B, F] gradient of the features (written by encodeBackward). */
  readonly dFeatures: GPUBuffer;
  /** 'train' uses batch statistics, updates every running statistic and counts the batch; 'eval' changes nothing. */
  encodeForward(enc: GPUCommandEncoder, mode: BatchNormMode): void;
  /** Gradients of every trainable tensor (overwritten) from dProjections; follows the last encodeForward. */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** The image branch's inv_head as a projection head: Linear F→hidden and hidden→proj, no biases. */
export function imageHeadConfig(c: ResNetConfig): ProjectionHeadConfig {
  return { inFeatures: resnetFeatureWidth(c), hidden: c.headHidden, out: c.proj, bias: false };
}

export interface ResNetOptions {
  batch: number;
  imageSize: number;
  /** Arena-name prefix for parameters and buffers, so two models can share an arena (e.g. "image."). */
  prefix?: string;
  /** Plan the backward (default true); false allocates no activation gradients (the ParamStore still has parameter gradients). */
  withBackward?: boolean;
  /** Conv2d workgroup tiles (default DEFAULT_CONV2D_TILES); smaller tiles compile faster on CPU emulation. */
  convTiles?: Conv2dTiles;
}

/** A conv with its BN, and the ReLU applied in place to the BN output when there is one. */
interface ConvUnit {
  conv: Conv2dOp;
  bn: BatchNormOp;
  relu?: ActivationOp;
}

/** A residual block: its conv units, optional downsample unit, the residual add and the final ReLU. */
interface BlockOps {
  units: ConvUnit[];
  ds?: ConvUnit;
  add: ScaleAddOp;
  relu: ActivationOp;
  /** Gradient buffers of the block output and input (g0 / g1, alternating). */
  gOut?: GPUBuffer;
  gIn?: GPUBuffer;
  inBytes: number;
}

/** What the planning phases share: the batch, the arena's buffers by name, the parameters. */
interface ResNetBuild {
  ctx: GpuContext;
  B: number;
  bwd: boolean;
  params: ParamStore;
  tiles?: Conv2dTiles;
  n: ReturnType<typeof resnetBufferNames>;
  get(name: string): GPUBuffer;
  /** A parameter's gradient, or undefined without the backward. */
  grad(name: string): GPUBuffer | undefined;
  /** Registers an op for destroy(). */
  keep<T extends { destroy(): void }>(op: T): T;
  destroyers: { destroy(): void }[];
}

/** Phase 1: the parameters (ParamStore) and every buffer of resnetBufferSpecs, in the arena. */
function allocateResNet(
  ctx: GpuContext,
  arena: BufferArena,
  config: ResNetConfig,
  lay: ResNetLayout,
  opts: ResNetOptions,
): ResNetBuild {
  const prefix = opts.prefix ?? '';
  const bwd = opts.withBackward ?? true;
  const params = new ParamStore(ctx, arena, resnetParamSpecs(config), prefix);
  const buf = new Map<string, GPUBuffer>();
  for (const s of resnetBufferSpecs(lay, bwd))
    buf.set(s.name, arena.alloc(`${prefix}${s.name}`, s.floats * 4, s.group));
  const destroyers: { destroy(): void }[] = [];
  return {
    ctx,
    B: opts.batch,
    bwd,
    params,
    tiles: opts.convTiles,
    n: resnetBufferNames(),
    get: (name) => buf.get(name)!,
    grad: (name) => (bwd ? params.grad(name) : undefined),
    keep: (op) => {
      destroyers.push(op);
      return op;
    },
    destroyers,
  };
}

/**
 * Conv (x → c) → BN (c → y) [→ ReLU in place on y]. Backward: dy → (BN) → dc → (conv) → dx;
 * a missing dx skips the input gradient (the stem).
 */
async function planUnit(
  r: ResNetBuild,
  l: ConvLayer,
  x: GPUBuffer,
  c: GPUBuffer,
  y: GPUBuffer,
  relu: boolean,
  g?: { dy: GPUBuffer; dc: GPUBuffer; dx?: GPUBuffer },
): Promise<ConvUnit> {
  const { ctx, B, params } = r;
  const size = B * l.Cout * l.Ho * l.Wo;
  const [conv, bn, act] = await Promise.all([
    planConv2d(
      ctx,
      {
        B,
        Cin: l.Cin,
        H: l.H,
        W: l.W,
        Cout: l.Cout,
        KH: l.K,
        KW: l.K,
        stride: l.stride,
        pad: l.pad,
        tiles: r.tiles,
      },
      { x, w: params.value(`${l.conv}.weight`), y: c, dy: g?.dc, dx: g?.dx, dw: r.grad(`${l.conv}.weight`) },
    ).then(r.keep),
    planBatchNorm(
      ctx,
      { B, C: l.Cout, L: l.Ho * l.Wo },
      {
        x: c,
        y,
        gamma: params.value(`${l.bn}.weight`),
        beta: params.value(`${l.bn}.bias`),
        runningMean: params.value(`${l.bn}.running_mean`),
        runningVar: params.value(`${l.bn}.running_var`),
        ...(g ? { dy: g.dy, dx: g.dc, dgamma: r.grad(`${l.bn}.weight`), dbeta: r.grad(`${l.bn}.bias`) } : {}),
      },
    ).then(r.keep),
    relu
      ? planActivation(
          ctx,
          { n: size, kind: 'relu' },
          { x: y, y, ...(g ? { dy: g.dy, dx: g.dy } : {}) },
        ).then(r.keep)
      : undefined,
  ]);
  return { conv, bn, relu: act };
}

/**
 * Phase 2, the stem: conv → BN → ReLU [→ max pool]. Backward: the gradient of its output arrives
 * in gbuf[stemGrad]; with the max pool it is routed to t1 (gradient of stem.a), BN writes into
 * t2; without, ReLU runs in place on gbuf and BN writes t1. Returns promises: every plan is
 * independent of the others (buffers are fixed), so all of them compile concurrently.
 */
function planStem(r: ResNetBuild, lay: ResNetLayout, gbuf: GPUBuffer[]) {
  const { n, get, bwd } = r;
  const t1 = get(n.t1);
  const t2 = get(n.t2);
  // Block i's output gradient lives in gbuf[(nb - 1 - i) % 2], its input's in the other.
  const stemGrad = lay.blocks.length % 2;
  const stemDy = lay.pool ? t1 : gbuf[stemGrad];
  const stem = planUnit(
    r,
    lay.stem,
    get(n.input),
    get(n.stemConv),
    get(n.stemAct),
    true,
    bwd ? { dy: stemDy!, dc: lay.pool ? t2 : t1 } : undefined,
  );
  const pl = lay.pool;
  const maxPool = pl
    ? planMaxPool2d(
        r.ctx,
        { B: r.B, C: pl.C, H: pl.H, W: pl.W, kernel: pl.K, stride: pl.stride, pad: pl.pad },
        {
          x: get(n.stemAct),
          y: get(n.stemPool),
          argmax: get(n.stemArg),
          dy: bwd ? gbuf[stemGrad] : undefined,
          dx: bwd ? t1 : undefined,
        },
      ).then(r.keep)
    : undefined;
  return { stem, maxPool };
}

/**
 * Phase 3, residual block i reading x: its conv units (gradients inside the block: a BN's dy is
 * gOut for the last unit or t2, its dc t1; a conv's dx is t2 or gIn for the first), the
 * downsample unit, the residual add and the ReLU. Returns the plan and the block's output buffer.
 */
function planBlock(r: ResNetBuild, lay: ResNetLayout, i: number, x: GPUBuffer, gbuf: GPUBuffer[]) {
  const { n, get, B } = r;
  const t1 = get(n.t1);
  const t2 = get(n.t2);
  const nb = lay.blocks.length;
  const b = lay.blocks[i]!;
  const gOut = r.bwd ? gbuf[(nb - 1 - i) % 2] : undefined;
  const gIn = r.bwd ? gbuf[(nb - i) % 2] : undefined;
  const unitPs: Promise<ConvUnit>[] = [];
  let xi = x;
  const last = b.convs.length - 1;
  for (let j = 0; j <= last; j++) {
    const g = gOut && gIn ? { dy: j === last ? gOut : t2, dc: t1, dx: j === 0 ? gIn : t2 } : undefined;
    const y = j === last ? t1 : get(n.act(b, j));
    unitPs.push(planUnit(r, b.convs[j]!, xi, get(n.conv(b, j)), y, j !== last, g));
    xi = y;
  }
  const dsP = b.downsample
    ? planUnit(
        r,
        b.downsample,
        x,
        get(n.dsConv(b)),
        t2,
        false,
        gOut && gIn ? { dy: gOut, dc: t1, dx: gIn } : undefined,
      )
    : undefined;
  const out = get(n.out(b));
  const outN = B * b.shape.outC * b.Ho * b.Wo;
  const addP = planScaleAdd(r.ctx, { x: t1, y: b.downsample ? t2 : x, out }, outN, 1).then(r.keep);
  const reluP = planActivation(
    r.ctx,
    { n: outN, kind: 'relu' },
    { x: out, y: out, ...(gOut ? { dy: gOut, dx: gOut } : {}) },
  ).then(r.keep);
  const inBytes = B * b.shape.inC * b.H * b.W * 4;
  const op: Promise<BlockOps> = Promise.all([Promise.all(unitPs), dsP, addP, reluP]).then(
    ([units, ds, add, relu]) => ({ units, ds, add, relu, gOut, gIn, inBytes }),
  );
  return { op, out };
}

/** Phase 4: global average pool of the last block's output x, then the projection head. */
function planTail(r: ResNetBuild, config: ResNetConfig, lay: ResNetLayout, x: GPUBuffer, gbuf: GPUBuffer[]) {
  const { n, get, bwd, B } = r;
  const gap = planPooling(
    r.ctx,
    { B, C: lay.F, N: lay.lastHW, mode: 'mean' },
    { x, out: get(n.features), ...(bwd ? { dout: get(n.dFeatures), dx: gbuf[0] } : {}) },
  ).then(r.keep);
  const head = planProjectionHead(r.ctx, r.params, imageHeadConfig(config), B, {
    x: get(n.features),
    h: get(n.headH),
    a: get(n.headA),
    y: get(n.projections),
    ...(bwd ? { dy: get(n.dProjections), dx: get(n.dFeatures), da: get(n.headDa), dh: get(n.headDh) } : {}),
  }).then(r.keep);
  return { gap, head };
}

/** The planned ops in forward order. */
interface ResNetOps {
  stem: ConvUnit;
  maxPool?: MaxPool2dOp;
  blocks: BlockOps[];
  gap: PoolOp;
  head: ProjectionHead;
}

function encodeResNetForward(enc: GPUCommandEncoder, mode: BatchNormMode, o: ResNetOps): void {
  const fwd = (u: ConvUnit) => {
    u.conv.encodeForward(enc);
    u.bn.encodeForward(enc, mode);
    u.relu?.encodeForward(enc);
  };
  fwd(o.stem);
  o.maxPool?.encodeForward(enc);
  for (const b of o.blocks) {
    for (const u of b.units) fwd(u);
    if (b.ds) fwd(b.ds);
    b.add.encode(enc);
    b.relu.encodeForward(enc);
  }
  o.gap.encodeForward(enc);
  o.head.encodeForward(enc, mode);
}

function encodeResNetBackward(enc: GPUCommandEncoder, mode: BatchNormMode, o: ResNetOps): void {
  o.head.encodeBackward(enc);
  o.gap.encodeBackward(enc);
  for (let i = o.blocks.length - 1; i >= 0; i--) {
    const b = o.blocks[i]!;
    b.relu.encodeBackward(enc);
    // Shortcut first: it reads gOut, which the main path's BN backward also reads.
    if (b.ds) {
      b.ds.bn.encodeBackward(enc, mode);
      b.ds.conv.encodeBackwardWeight(enc);
      b.ds.conv.encodeBackwardInput(enc);
    } else {
      enc.copyBufferToBuffer(b.gOut!, 0, b.gIn!, 0, b.inBytes);
    }
    for (let j = b.units.length - 1; j >= 0; j--) {
      const u = b.units[j]!;
      u.relu?.encodeBackward(enc);
      u.bn.encodeBackward(enc, mode);
      u.conv.encodeBackwardWeight(enc);
      u.conv.encodeBackwardInput(enc, { accumulate: j === 0 });
    }
  }
  o.maxPool?.encodeBackward(enc);
  o.stem.relu!.encodeBackward(enc);
  o.stem.bn.encodeBackward(enc, mode);
  o.stem.conv.encodeBackwardWeight(enc);
}

/** Plans the image encoder. Phases: buffers, stem, residual blocks, pooling and head, encoders. */
export async function createResNet(
  ctx: GpuContext,
  arena: BufferArena,
  config: ResNetConfig,
  opts: ResNetOptions,
): Promise<ResNet> {
  const lay = resnetLayout(config, opts.batch, opts.imageSize);
  const r = allocateResNet(ctx, arena, config, lay, opts);
  const { n, get, bwd, params } = r;
  const gbuf = bwd ? [get(n.g0), get(n.g1)] : [];
  const stemP = planStem(r, lay, gbuf);
  const blockPs: Promise<BlockOps>[] = [];
  let x = lay.pool ? get(n.stemPool) : get(n.stemAct);
  for (let i = 0; i < lay.blocks.length; i++) {
    const block = planBlock(r, lay, i, x, gbuf);
    blockPs.push(block.op);
    x = block.out;
  }
  const tailP = planTail(r, config, lay, x, gbuf);
  const [stem, maxPool, blocks, gap, head] = await Promise.all([
    stemP.stem,
    stemP.maxPool,
    Promise.all(blockPs),
    tailP.gap,
    tailP.head,
  ]);
  const ops: ResNetOps = { stem, maxPool, blocks, gap, head };

  let lastMode: BatchNormMode | undefined;
  return {
    config,
    layout: lay,
    batch: opts.batch,
    imageSize: opts.imageSize,
    featureWidth: lay.F,
    params,
    input: get(n.input),
    features: get(n.features),
    projections: get(n.projections),
    get dProjections() {
      if (!bwd) throw new Error('ResNet: planned without the backward');
      return get(n.dProjections);
    },
    get dFeatures() {
      if (!bwd) throw new Error('ResNet: planned without the backward');
      return get(n.dFeatures);
    },
    encodeForward(enc, mode) {
      encodeResNetForward(enc, mode, ops);
      if (mode === 'train') params.countBatch();
      lastMode = mode;
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('ResNet: planned without the backward');
      if (!lastMode) throw new Error('ResNet: encodeBackward before any encodeForward');
      encodeResNetBackward(enc, lastMode, ops);
    },
    destroy() {
      for (const op of r.destroyers) op.destroy();
    },
  };
}

/**
 * What the kernels allocate inside their plans for a training-mode ResNet (not in the arena):
 * per BatchNorm its partial sums, saved statistics and backward sums; per conv its
 * weight-gradient partials (split-K chunks) when it has any. Uniform blocks are left out.
 */
export function resnetKernelScratchSpecs(
  config: ResNetConfig,
  batch: number,
  imageSize: number,
  opts: { prefix?: string; tiles?: Conv2dTiles } = {},
): BufferSpec[] {
  const prefix = opts.prefix ?? '';
  const tiles = opts.tiles ?? DEFAULT_CONV2D_TILES;
  const lay = resnetLayout(config, batch, imageSize);
  const convs: ConvLayer[] = [lay.stem];
  for (const b of lay.blocks) convs.push(...b.convs, ...(b.downsample ? [b.downsample] : []));
  const out: BufferSpec[] = kernelScratch(
    `${prefix}inv_head.1`,
    batchNormScratch({ B: batch, C: config.headHidden, L: 1 }),
  );
  for (const l of convs) {
    out.push(...kernelScratch(`${prefix}${l.bn}`, batchNormScratch({ B: batch, C: l.Cout, L: l.Ho * l.Wo })));
    const shape = { B: batch, Cin: l.Cin, Cout: l.Cout, KH: l.K, KW: l.K, Ho: l.Ho, Wo: l.Wo };
    out.push(...kernelScratch(`${prefix}${l.conv}`, conv2dScratch(shape, tiles)));
  }
  return out;
}

/**
 * Every buffer of a training-mode ResNet in buffer-plan form (for `crosspoint plan`): its
 * parameters, gradients and BN statistics (ParamStore), the arena buffers of resnetBufferSpecs
 * (exactly what createResNet allocates) and the kernels' own scratch.
 */
export function resnetStepSpecs(
  config: ResNetConfig,
  batch: number,
  imageSize: number,
  opts: { prefix?: string; tiles?: Conv2dTiles } = {},
): BufferSpec[] {
  const prefix = opts.prefix ?? '';
  const lay = resnetLayout(config, batch, imageSize);
  return [
    ...paramBufferSpecs(resnetParamSpecs(config), prefix),
    ...resnetBufferSpecs(lay).map((s) => ({
      name: `${prefix}${s.name}`,
      bytes: Math.max(4, s.floats * 4),
      group: s.group,
    })),
    ...resnetKernelScratchSpecs(config, batch, imageSize, opts),
  ];
}
