import { batchNormScratch } from '../kernels/batchnorm';
import { edgeConvScratch } from '../kernels/edgeconv';
import { edgeConv2Scratch } from '../kernels/edgeconv2';
import { knnScratch, validateK } from '../kernels/knn';
import { type BufferSpec, BufferList, kernelScratch, paramBufferSpecs } from './buffer-plan';
import {
  type PartSegConfig,
  type PartSegMode,
  partSegConcatWidth,
  partSegParamSpecs,
} from './dgcnn-partseg-config';
import { type ProjectionHeadConfig, projectionHeadBufferSpecs } from './projection-head';

// The part-segmentation model's buffer list and names, apart from the GPU plan (`crosspoint plan`
// reads these). Every buffer createDgcnnPartSeg allocates is listed here, so the printed budget is
// what a step holds.

/** What createDgcnnPartSeg needs besides the config. */
export interface PartSegPlanOptions {
  batch: number;
  points: number;
  /** Plan the backward (every trainable gradient and dInput from dLogits). Default true. */
  backward?: boolean;
  /** Arena name prefix (default "partseg."). */
  prefix?: string;
  /** Seed of the dropout masks (default 0); the step is set with setDropoutStep. */
  dropoutSeed?: number;
  /**
   * 'segment' (default): the part-segmentation model. 'pretrain': the reference's `dgcnn_seg`
   * encoder for CrossPoint pretraining: no segmentation head; inv_head on the global feature.
   */
  mode?: PartSegMode;
  /**
   * Momentum of every BatchNorm's running statistics (default PyTorch's 0.1). A larger one lets
   * eval-mode statistics catch up within a few steps (the Parts panel's first-look size).
   */
  bnMomentum?: number;
}

/** inv_head of the `dgcnn_seg` encoder: Linear emb → headHidden (bias) → BN → ReLU → Linear → proj (bias). */
export function partSegHeadConfig(c: PartSegConfig): ProjectionHeadConfig {
  return { inFeatures: c.emb, hidden: c.headHidden, out: c.proj, bias: true };
}

/** Channels of the buffer holding x1, x2, x3 (conv8's input when segmenting) and where x1 starts. */
export function partSegCatLayout(c: PartSegConfig, mode: PartSegMode) {
  return mode === 'segment'
    ? { width: partSegConcatWidth(c), first: c.emb + c.category }
    : { width: 3 * c.edge, first: 0 };
}

/** One per-edge or per-point conv → BN → LeakyReLU stage. */
export interface StageDef {
  /** Reference name of the conv ("conv1", "transform_net.conv3") and of its BN. */
  name: string;
  bn: string;
  /** The weight's reference name ("conv1.0.weight", "transform_net.linear1.weight"). */
  weight: string;
  Cin: number;
  Cout: number;
  /** Columns per cloud: N·k for per-edge stages, N per point, 1 for [B, C] vectors. */
  L: number;
}

/** The four EdgeConv blocks: input width, per-edge stages, and the name of the conv maxed over k. */
export function partSegEdgeBlocks(
  c: PartSegConfig,
  N: number,
): { C: number; stages: StageDef[]; maxed: string }[] {
  const e = c.edge;
  const L = N * c.k;
  const st = (name: string, bn: string, Cin: number, Cout: number): StageDef => ({
    name,
    bn,
    weight: `${name}.0.weight`,
    Cin,
    Cout,
    L,
  });
  return [
    {
      C: 3,
      stages: [
        st('transform_net.conv1', 'transform_net.bn1', 6, c.tnet[0]),
        st('transform_net.conv2', 'transform_net.bn2', c.tnet[0], c.tnet[1]),
      ],
      maxed: 'transform_net.conv2',
    },
    { C: 3, stages: [st('conv1', 'bn1', 6, e), st('conv2', 'bn2', e, e)], maxed: 'conv2' },
    { C: e, stages: [st('conv3', 'bn3', 2 * e, e), st('conv4', 'bn4', e, e)], maxed: 'conv4' },
    { C: e, stages: [st('conv5', 'bn5', 2 * e, e)], maxed: 'conv5' },
  ];
}

/**
 * What a block's fused op allocates for itself: planEdgeConv2 for two per-edge convs, planEdgeConv
 * for one.
 */
export function edgeBlockScratch(
  blk: { C: number; stages: StageDef[] },
  d: { B: number; N: number; k: number },
  backward: boolean,
) {
  const [s1, s2] = blk.stages;
  return s2
    ? edgeConv2Scratch({ ...d, C: blk.C, Cmid: s1!.Cout, Cout: s2.Cout }, backward)
    : edgeConvScratch({ ...d, C: blk.C, Cout: s1!.Cout }, backward);
}

/** The per-point and per-cloud stages (the transform net's conv3 and linears, conv6, and when segmenting conv7 to conv10). */
export function partSegPointStages(
  c: PartSegConfig,
  N: number,
  mode: PartSegMode = 'segment',
): Record<string, StageDef> {
  const [, t2, t3, t4, t5] = c.tnet;
  const conv = (name: string, bn: string, Cin: number, Cout: number, L: number): StageDef => ({
    name,
    bn,
    weight: `${name}.0.weight`,
    Cin,
    Cout,
    L,
  });
  const encoder = {
    tconv3: conv('transform_net.conv3', 'transform_net.conv3.1', t2, t3, N),
    linear1: {
      ...conv('transform_net.linear1', 'transform_net.bn3', t3, t4, 1),
      weight: 'transform_net.linear1.weight',
    },
    linear2: {
      ...conv('transform_net.linear2', 'transform_net.bn4', t4, t5, 1),
      weight: 'transform_net.linear2.weight',
    },
    conv6: conv('conv6', 'bn6', 3 * c.edge, c.emb, N),
  };
  if (mode === 'pretrain') return encoder;
  return {
    ...encoder,
    conv7: conv('conv7', 'bn7', c.categories, c.category, 1),
    conv8: conv('conv8', 'bn8', partSegConcatWidth(c), c.head[0], N),
    conv9: conv('conv9', 'bn9', c.head[0], c.head[1], N),
    conv10: conv('conv10', 'bn10', c.head[1], c.head[2], N),
  };
}

/** Arena names of a stage's buffers: conv output z, BN + LeakyReLU output a, and their gradients. */
export function stageBufferNames(prefix: string, s: StageDef) {
  return {
    z: `${prefix}${s.name}.z`,
    a: `${prefix}${s.name}.a`,
    dA: `${prefix}${s.name}.dA`,
    dZ: `${prefix}${s.name}.dZ`,
  };
}

/** Arena names of the model's other buffers. */
export function partSegBufferNames(prefix: string) {
  return {
    input: `${prefix}input`,
    category: `${prefix}category`,
    knn: (g: number) => `${prefix}knn.${g}`,
    /** Max over k of block g [B, C, N] (block 0: the transform net's h; 1…3: x1…x3) and its gradient. */
    blockOut: (g: number) => `${prefix}block.${g}`,
    dBlockOut: (g: number) => `${prefix}dBlock.${g}`,
    arg: (conv: string) => `${prefix}argmax.${conv}`,
    /** [B, t3] max over points of the transform net's conv3; [B, 9] T; [B, 3, N] transformed points. */
    tPool: `${prefix}transform_net.pool`,
    dTPool: `${prefix}transform_net.dPool`,
    T: `${prefix}transform_net.T`,
    dT: `${prefix}transform_net.dT`,
    xt: `${prefix}xt`,
    dXt: `${prefix}dXt`,
    /** [B, emb] the global feature (max over points of conv6). */
    global: `${prefix}global`,
    dGlobal: `${prefix}dGlobal`,
    /** [N] ones: the repeat over points is a matmul with them. */
    ones: `${prefix}ones`,
    /** [B, 1280, N] conv8's input. */
    concat: `${prefix}concat`,
    dConcat: `${prefix}dConcat`,
    /** Dropout outputs after conv8 and conv9 [B, ·, N], and their gradients. */
    drop: (i: number) => `${prefix}drop.${i}`,
    dDrop: (i: number) => `${prefix}dDrop.${i}`,
    logits: `${prefix}logits`,
    dLogits: `${prefix}dLogits`,
    dInput: `${prefix}dInput`,
    /** Pretrain mode: inv_head's output [B, proj], its gradient, and its intermediates. */
    projections: `${prefix}projections`,
    dProjections: `${prefix}dProjections`,
    head: `${prefix}head.`,
  };
}

/** Checks what the model cannot run, before anything is allocated; messages name the setting. */
export function checkPartSegShape(c: PartSegConfig, o: PartSegPlanOptions): void {
  if (!(Number.isInteger(o.batch) && o.batch >= 1))
    throw new Error(`DGCNN_partseg: batch must be ≥ 1 (got ${o.batch})`);
  validateK(c.k, o.points, 'DGCNN_partseg');
}

/**
 * Every buffer createDgcnnPartSeg allocates in the arena and (group 'kernel-scratch') what its
 * kernels allocate for themselves (the fused EdgeConv blocks: O(B·N·C), no per-edge tensor).
 */
export function partSegBufferSpecs(c: PartSegConfig, o: PartSegPlanOptions, knnSplits = 1): BufferSpec[] {
  const prefix = o.prefix ?? 'partseg.';
  const bwd = o.backward ?? true;
  const mode = o.mode ?? 'segment';
  const seg = mode === 'segment';
  const { batch: B, points: N } = o;
  const { k } = c;
  const n = partSegBufferNames(prefix);
  const l = new BufferList();
  l.push(...paramBufferSpecs(partSegParamSpecs(c, mode), prefix));
  l.add(n.input, B * 3 * N, 'activations');
  if (seg) l.add(n.category, B * c.categories, 'activations');
  const stage = (s: StageDef) => {
    const sn = stageBufferNames(prefix, s);
    l.add(sn.z, B * s.Cout * s.L, 'activations');
    l.add(sn.a, B * s.Cout * s.L, 'activations');
    l.push(...kernelScratch(`${prefix}${s.bn}`, batchNormScratch({ B, C: s.Cout, L: s.L })));
    if (bwd) {
      l.add(sn.dA, B * s.Cout * s.L, 'activation-grads');
      l.add(sn.dZ, B * s.Cout * s.L, 'activation-grads');
    }
  };
  partSegEdgeBlocks(c, N).forEach((blk, g) => {
    l.add(n.knn(g), B * N * k, 'indices');
    l.push(...kernelScratch(`${prefix}knn${g}`, knnScratch({ B, N, k }, knnSplits)));
    l.push(...kernelScratch(`${prefix}edge${g}`, edgeBlockScratch(blk, { B, N, k }, bwd)));
    const O = blk.stages[blk.stages.length - 1]!.Cout;
    l.add(n.blockOut(g), B * O * N, 'activations');
    l.add(n.arg(blk.maxed), B * O * N, 'indices');
    if (bwd) l.add(n.dBlockOut(g), B * O * N, 'activation-grads');
  });
  const ps = partSegPointStages(c, N, mode);
  for (const s of Object.values(ps)) stage(s);
  const cat = partSegCatLayout(c, mode);
  l.add(n.tPool, B * c.tnet[2], 'activations');
  l.add(n.arg('transform_net.conv3'), B * c.tnet[2], 'indices');
  l.add(n.T, B * 9, 'activations');
  l.add(n.xt, B * 3 * N, 'activations');
  l.add(n.global, B * c.emb, 'activations');
  l.add(n.arg('conv6'), B * c.emb, 'indices');
  l.add(n.concat, B * cat.width * N, 'activations');
  if (seg) {
    l.add(n.ones, N, 'activations');
    l.add(n.drop(0), B * c.head[0] * N, 'activations');
    l.add(n.drop(1), B * c.head[1] * N, 'activations');
    l.add(n.logits, B * c.parts * N, 'activations');
  } else {
    l.add(n.projections, B * c.proj, 'activations');
    l.push(...projectionHeadBufferSpecs(partSegHeadConfig(c), B, n.head, bwd));
  }
  if (bwd) {
    l.add(n.dTPool, B * c.tnet[2], 'activation-grads');
    l.add(n.dT, B * 9, 'activation-grads');
    l.add(n.dXt, B * 3 * N, 'activation-grads');
    l.add(n.dGlobal, B * c.emb, 'activation-grads');
    l.add(n.dConcat, B * cat.width * N, 'activation-grads');
    if (seg) {
      l.add(n.dDrop(0), B * c.head[0] * N, 'activation-grads');
      l.add(n.dDrop(1), B * c.head[1] * N, 'activation-grads');
      l.add(n.dLogits, B * c.parts * N, 'activation-grads');
    } else l.add(n.dProjections, B * c.proj, 'activation-grads');
    l.add(n.dInput, B * 3 * N, 'activation-grads');
  }
  return l.specs;
}
