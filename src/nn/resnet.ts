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
import { planMaxPool2d } from '../kernels/maxpool2d';
import { planPool } from '../kernels/pooling';
import { type ScaleAddOp, planScaleAdd } from '../kernels/scale_add';
import { ParamStore } from './param-store';
import { type ProjectionHeadConfig, planProjectionHead } from './projection-head';
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

export async function createResNet(
  ctx: GpuContext,
  arena: BufferArena,
  config: ResNetConfig,
  opts: ResNetOptions,
): Promise<ResNet> {
  const B = opts.batch;
  const S = opts.imageSize;
  const prefix = opts.prefix ?? '';
  const bwd = opts.withBackward ?? true;
  const lay = resnetLayout(config, B, S);
  const params = new ParamStore(ctx, arena, resnetParamSpecs(config), prefix);
  const buf = new Map<string, GPUBuffer>();
  for (const s of resnetBufferSpecs(lay, bwd))
    buf.set(s.name, arena.alloc(`${prefix}${s.name}`, s.floats * 4, s.group));
  const get = (name: string) => buf.get(name)!;
  const n = resnetBufferNames();
  const grad = (name: string) => (bwd ? params.grad(name) : undefined);
  const destroyers: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(op: T): T => {
    destroyers.push(op);
    return op;
  };

  /**
   * Conv (x → c) → BN (c → y) [→ ReLU in place on y]. Backward: dy → (BN) → dc → (conv) → dx;
   * a missing dx skips the input gradient (the stem).
   */
  const unit = async (
    l: ConvLayer,
    x: GPUBuffer,
    c: GPUBuffer,
    y: GPUBuffer,
    relu: boolean,
    g?: { dy: GPUBuffer; dc: GPUBuffer; dx?: GPUBuffer },
  ): Promise<ConvUnit> => {
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
          tiles: opts.convTiles,
        },
        { x, w: params.value(`${l.conv}.weight`), y: c, dy: g?.dc, dx: g?.dx, dw: grad(`${l.conv}.weight`) },
      ).then(keep),
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
          ...(g ? { dy: g.dy, dx: g.dc, dgamma: grad(`${l.bn}.weight`), dbeta: grad(`${l.bn}.bias`) } : {}),
        },
      ).then(keep),
      relu
        ? planActivation(
            ctx,
            { n: size, kind: 'relu' },
            { x: y, y, ...(g ? { dy: g.dy, dx: g.dy } : {}) },
          ).then(keep)
        : undefined,
    ]);
    return { conv, bn, relu: act };
  };

  const t1 = get(n.t1);
  const t2 = get(n.t2);
  const gbuf = bwd ? [get(n.g0), get(n.g1)] : [];

  // Stem. Backward: the gradient of its output arrives in gbuf[stemGrad]; with the max pool it is
  // routed to t1 (gradient of stem.a), BN writes into t2; without, ReLU runs in place on gbuf and BN writes t1.
  const nb = lay.blocks.length;
  const stemGrad = nb % 2; // block i's output gradient lives in gbuf[(nb - 1 - i) % 2], its input's in the other
  const stemDy = lay.pool ? t1 : gbuf[stemGrad];
  // Plans are independent of each other (buffers are fixed), so all of them compile concurrently.
  const stemP = unit(
    lay.stem,
    get(n.input),
    get(n.stemConv),
    get(n.stemAct),
    true,
    bwd ? { dy: stemDy!, dc: lay.pool ? t2 : t1 } : undefined,
  );
  const pl = lay.pool;
  const maxPoolP = pl
    ? planMaxPool2d(
        ctx,
        { B, C: pl.C, H: pl.H, W: pl.W, kernel: pl.K, stride: pl.stride, pad: pl.pad },
        {
          x: get(n.stemAct),
          y: get(n.stemPool),
          argmax: get(n.stemArg),
          dy: bwd ? gbuf[stemGrad] : undefined,
          dx: bwd ? t1 : undefined,
        },
      ).then(keep)
    : undefined;

  const blockPs: Promise<BlockOps>[] = [];
  let x = lay.pool ? get(n.stemPool) : get(n.stemAct);
  for (let i = 0; i < nb; i++) {
    const b = lay.blocks[i]!;
    const gOut = bwd ? gbuf[(nb - 1 - i) % 2] : undefined;
    const gIn = bwd ? gbuf[(nb - i) % 2] : undefined;
    const unitPs: Promise<ConvUnit>[] = [];
    let xi = x;
    const last = b.convs.length - 1;
    for (let j = 0; j <= last; j++) {
      // Gradients inside the block: a BN's dy is gOut (last) or t2, its dc t1; a conv's dx is t2 or gIn (first).
      const g = gOut && gIn ? { dy: j === last ? gOut : t2, dc: t1, dx: j === 0 ? gIn : t2 } : undefined;
      const y = j === last ? t1 : get(n.act(b, j));
      unitPs.push(unit(b.convs[j]!, xi, get(n.conv(b, j)), y, j !== last, g));
      xi = y;
    }
    const dsP = b.downsample
      ? unit(
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
    const addP = planScaleAdd(ctx, { x: t1, y: b.downsample ? t2 : x, out }, outN, 1).then(keep);
    const reluP = planActivation(
      ctx,
      { n: outN, kind: 'relu' },
      { x: out, y: out, ...(gOut ? { dy: gOut, dx: gOut } : {}) },
    ).then(keep);
    const inBytes = B * b.shape.inC * b.H * b.W * 4;
    blockPs.push(
      Promise.all([Promise.all(unitPs), dsP, addP, reluP]).then(([units, ds, add, relu]) => ({
        units,
        ds,
        add,
        relu,
        gOut,
        gIn,
        inBytes,
      })),
    );
    x = out;
  }

  const gapP = planPool(
    ctx,
    { B, C: lay.F, N: lay.lastHW, mode: 'mean' },
    { x, out: get(n.features), ...(bwd ? { dout: get(n.dFeatures), dx: gbuf[0] } : {}) },
  ).then(keep);
  const headP = planProjectionHead(ctx, params, imageHeadConfig(config), B, {
    x: get(n.features),
    h: get(n.headH),
    a: get(n.headA),
    y: get(n.projections),
    ...(bwd ? { dy: get(n.dProjections), dx: get(n.dFeatures), da: get(n.headDa), dh: get(n.headDh) } : {}),
  }).then(keep);
  const [stem, maxPool, blocks, gap, head] = await Promise.all([
    stemP,
    maxPoolP,
    Promise.all(blockPs),
    gapP,
    headP,
  ]);

  let lastMode: BatchNormMode | undefined;
  return {
    config,
    layout: lay,
    batch: B,
    imageSize: S,
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
      const fwd = (u: ConvUnit) => {
        u.conv.encodeForward(enc);
        u.bn.encodeForward(enc, mode);
        u.relu?.encodeForward(enc);
      };
      fwd(stem);
      maxPool?.encodeForward(enc);
      for (const b of blocks) {
        for (const u of b.units) fwd(u);
        if (b.ds) fwd(b.ds);
        b.add.encode(enc);
        b.relu.encodeForward(enc);
      }
      gap.encodeForward(enc);
      head.encodeForward(enc, mode);
      if (mode === 'train') params.countBatch();
      lastMode = mode;
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('ResNet: planned without the backward');
      if (!lastMode) throw new Error('ResNet: encodeBackward before any encodeForward');
      const mode = lastMode;
      head.encodeBackward(enc);
      gap.encodeBackward(enc);
      for (let i = blocks.length - 1; i >= 0; i--) {
        const b = blocks[i]!;
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
      maxPool?.encodeBackward(enc);
      stem.relu!.encodeBackward(enc);
      stem.bn.encodeBackward(enc, mode);
      stem.conv.encodeBackwardWeight(enc);
    },
    destroy() {
      for (const op of destroyers) op.destroy();
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
