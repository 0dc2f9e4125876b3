import { conv2dOutSize } from '../kernels/conv2d-shape';
import { type BlockShape, type ResNetConfig, resnetBlocks, resnetFeatureWidth } from './resnet-config';

/**
 * The shapes of every layer of a ResNet at a batch size and image size, and the list of buffers
 * the module allocates for them. Pure (no WGSL), so `crosspoint plan` and the UI can size a
 * model without a device; src/nn/resnet.ts allocates exactly this list.
 */

/** One Conv2d (no bias) followed by its BatchNorm2d, on input [B, Cin, H, W]. */
export interface ConvLayer {
  /** Weight name without ".weight", e.g. "resnet.layer1.0.conv1". */
  conv: string;
  /** BatchNorm name prefix, e.g. "resnet.layer1.0.bn1". */
  bn: string;
  Cin: number;
  Cout: number;
  K: number;
  stride: number;
  pad: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
}

/** torchvision's stem max pool: 3×3, stride 2, padding 1 (the 'imagenet' stem only). */
export interface PoolLayer {
  C: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
  K: number;
  stride: number;
  pad: number;
}

export interface BlockLayout {
  shape: BlockShape;
  /** Buffer-name stem, e.g. "layer2.0". */
  id: string;
  /** Basic: conv1 (3×3, stride s), conv2 (3×3). Bottleneck: conv1 (1×1), conv2 (3×3, stride s), conv3 (1×1). */
  convs: ConvLayer[];
  /** 1×1 conv with stride s + BN on the block input, when the shape changes. */
  downsample?: ConvLayer;
  /** Input [B, inC, H, W], output [B, outC, Ho, Wo]. */
  H: number;
  W: number;
  Ho: number;
  Wo: number;
}

export interface ResNetLayout {
  config: ResNetConfig;
  B: number;
  S: number;
  stem: ConvLayer;
  pool?: PoolLayer;
  blocks: BlockLayout[];
  /** Width of the pooled feature. */
  F: number;
  /** Spatial size H·W of the last block's output (the global average pool's N). */
  lastHW: number;
}

function convLayer(
  conv: string,
  bn: string,
  Cin: number,
  Cout: number,
  K: number,
  stride: number,
  H: number,
  W: number,
): ConvLayer {
  const pad = (K - 1) / 2;
  const { Ho, Wo } = conv2dOutSize({ B: 1, Cin, H, W, Cout, KH: K, KW: K, stride, pad });
  if (Ho < 1 || Wo < 1)
    throw new Error(`ResNet: ${conv} gets a ${H}×${W} input, too small; raise the image size`);
  return { conv, bn, Cin, Cout, K, stride, pad, H, W, Ho, Wo };
}

/** Layer shapes of `config` on B images of S×S (torchvision semantics). */
export function resnetLayout(config: ResNetConfig, B: number, S: number): ResNetLayout {
  if (!Number.isInteger(B) || B < 1) throw new Error(`ResNet: batch must be a positive integer (got ${B})`);
  if (!Number.isInteger(S) || S < 1)
    throw new Error(`ResNet: image size must be a positive integer (got ${S})`);
  const imagenet = config.stem === 'imagenet';
  const stem = convLayer(
    'resnet.conv1',
    'resnet.bn1',
    3,
    config.base,
    imagenet ? 7 : 3,
    imagenet ? 2 : 1,
    S,
    S,
  );
  let H = stem.Ho;
  let W = stem.Wo;
  let pool: PoolLayer | undefined;
  if (imagenet) {
    const Ho = Math.floor((H + 2 - 3) / 2) + 1;
    const Wo = Math.floor((W + 2 - 3) / 2) + 1;
    pool = { C: config.base, H, W, Ho, Wo, K: 3, stride: 2, pad: 1 };
    H = Ho;
    W = Wo;
  }
  const blocks: BlockLayout[] = [];
  for (const shape of resnetBlocks(config)) {
    const p = shape.prefix;
    const s = shape.stride;
    const convs: ConvLayer[] = [];
    if (config.block === 'bottleneck') {
      convs.push(convLayer(`${p}.conv1`, `${p}.bn1`, shape.inC, shape.midC, 1, 1, H, W));
      const c2 = convLayer(`${p}.conv2`, `${p}.bn2`, shape.midC, shape.midC, 3, s, H, W);
      convs.push(c2);
      convs.push(convLayer(`${p}.conv3`, `${p}.bn3`, shape.midC, shape.outC, 1, 1, c2.Ho, c2.Wo));
    } else {
      const c1 = convLayer(`${p}.conv1`, `${p}.bn1`, shape.inC, shape.midC, 3, s, H, W);
      convs.push(c1);
      convs.push(convLayer(`${p}.conv2`, `${p}.bn2`, shape.midC, shape.outC, 3, 1, c1.Ho, c1.Wo));
    }
    const last = convs[convs.length - 1]!;
    const downsample = shape.downsample
      ? convLayer(`${p}.downsample.0`, `${p}.downsample.1`, shape.inC, shape.outC, 1, s, H, W)
      : undefined;
    if (downsample && (downsample.Ho !== last.Ho || downsample.Wo !== last.Wo)) {
      throw new Error(`ResNet: ${p} shortcut and main path disagree in size; use an even image size`);
    }
    blocks.push({ shape, id: p.replace(/^resnet\./, ''), convs, downsample, H, W, Ho: last.Ho, Wo: last.Wo });
    H = last.Ho;
    W = last.Wo;
  }
  return { config, B, S, stem, pool, blocks, F: resnetFeatureWidth(config), lastHW: H * W };
}

/** Groups of the buffers a ResNet allocates besides its parameters (ParamStore's "weights", "grads", "bn-stats"). */
export type ResNetBufferGroup = 'activations' | 'activation-grads' | 'indices';

export interface ResNetBufferSpec {
  /** Name in the arena, without the model's prefix. */
  name: string;
  /** Element count (4-byte f32, or i32 for 'indices'). */
  floats: number;
  group: ResNetBufferGroup;
}

/**
 * Buffer names. Forward buffers kept for the backward ("activations"):
 * - input [B, 3, S, S] (the stem conv's weight gradient reads it);
 * - per conv: its output = its BN's input (`.cN`, the BN backward reads it);
 * - per BN followed by a ReLU inside a block or the stem: its output, ReLU in place (`.aN`; the
 *   next conv's input, and the ReLU backward's gate);
 * - the stem max pool's output (`stem.pool`), the first block's input, and its arg-max
 *   (`stem.pool.argmax`, i32, "indices");
 * - per block: its output after the residual add and ReLU (`.out`; next block's input, gate);
 * - features [B, F], the head's h and a [B, hidden], projections [B, proj].
 * The last BN of a block and the downsample BN write their outputs to the shared scratch
 * tensors t1 and t2, which the residual add consumes at once; in the backward the same two
 * buffers hold the gradients inside a block. g0 and g1 carry the gradient of block outputs,
 * alternating block by block ("activation-grads").
 */
export function resnetBufferNames() {
  return {
    input: 'input',
    stemConv: 'stem.c',
    stemAct: 'stem.a',
    stemPool: 'stem.pool',
    stemArg: 'stem.pool.argmax',
    conv: (b: BlockLayout, i: number) => `${b.id}.c${i + 1}`,
    act: (b: BlockLayout, i: number) => `${b.id}.a${i + 1}`,
    dsConv: (b: BlockLayout) => `${b.id}.dsc`,
    out: (b: BlockLayout) => `${b.id}.out`,
    features: 'features',
    headH: 'head.h',
    headA: 'head.a',
    projections: 'projections',
    t1: 'scratch.t1',
    t2: 'scratch.t2',
    g0: 'grad.g0',
    g1: 'grad.g1',
    dProjections: 'projections.grad',
    dFeatures: 'features.grad',
    headDa: 'head.da',
    headDh: 'head.dh',
  };
}

/** Every buffer createResNet allocates in its arena, besides the ParamStore's. */
export function resnetBufferSpecs(lay: ResNetLayout, withBackward = true): ResNetBufferSpec[] {
  const { B, S, config: c } = lay;
  const n = resnetBufferNames();
  const out: ResNetBufferSpec[] = [];
  const add = (name: string, floats: number, group: ResNetBufferGroup) => out.push({ name, floats, group });
  const act = (name: string, floats: number) => add(name, floats, 'activations');
  const size = (l: ConvLayer) => B * l.Cout * l.Ho * l.Wo;
  act(n.input, B * 3 * S * S);
  act(n.stemConv, size(lay.stem));
  act(n.stemAct, size(lay.stem));
  if (lay.pool) {
    act(n.stemPool, B * lay.pool.C * lay.pool.Ho * lay.pool.Wo);
    add(n.stemArg, B * lay.pool.C * lay.pool.Ho * lay.pool.Wo, 'indices');
  }
  // Largest tensor any scratch role holds: every conv output (block outputs are conv3/conv2 sized).
  let largest = size(lay.stem);
  for (const b of lay.blocks) {
    b.convs.forEach((l, i) => {
      act(n.conv(b, i), size(l));
      if (i < b.convs.length - 1) act(n.act(b, i), size(l));
      largest = Math.max(largest, size(l));
    });
    if (b.downsample) act(n.dsConv(b), size(b.downsample));
    act(n.out(b), B * b.shape.outC * b.Ho * b.Wo);
  }
  act(n.features, B * lay.F);
  act(n.headH, B * c.headHidden);
  act(n.headA, B * c.headHidden);
  act(n.projections, B * c.proj);
  act(n.t1, largest);
  act(n.t2, largest);
  if (withBackward) {
    const g = (name: string, floats: number) => add(name, floats, 'activation-grads');
    g(n.g0, largest);
    g(n.g1, largest);
    g(n.dProjections, B * c.proj);
    g(n.dFeatures, B * lay.F);
    g(n.headDa, B * c.headHidden);
    g(n.headDh, B * c.headHidden);
  }
  return out;
}

/** Bytes of the buffers a ResNet allocates in its arena besides its parameters (what a training step needs for activations). */
export function resnetActivationBytes(config: ResNetConfig, batch: number, imageSize: number): number {
  return resnetBufferSpecs(resnetLayout(config, batch, imageSize)).reduce(
    (t, s) => t + Math.max(4, s.floats * 4),
    0,
  );
}
