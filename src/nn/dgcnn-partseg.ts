import type { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { type ActivationOp, planActivation } from '../kernels/activation';
import { type BatchNormMode, type BatchNormOp, planBatchNorm } from '../kernels/batchnorm';
import { type DropoutOp, planDropout } from '../kernels/dropout';
import { type EdgeConvOp, planEdgeConv } from '../kernels/edgeconv';
import { type EdgeConv2Op, planEdgeConv2 } from '../kernels/edgeconv2';
import { defaultKnnSplits, type KnnOp, planKnn } from '../kernels/knn';
import { type LinearOp, planLinear } from '../kernels/linear';
import { type MatmulOp, planMatmul } from '../kernels/matmul';
import { planPooling } from '../kernels/pooling';
import { allocateSpecs, type BufferSpec, paramBufferSpecs } from './buffer-plan';
import { type Conv1x1Op, planConv1x1 } from './conv1x1';
import {
  checkPartSegShape,
  type PartSegPlanOptions,
  partSegBufferNames,
  partSegBufferSpecs,
  partSegCatLayout,
  partSegHeadConfig,
  partSegEdgeBlocks,
  partSegPointStages,
  type StageDef,
  stageBufferNames,
} from './dgcnn-partseg-buffers';
import {
  type PartSegConfig,
  type PartSegMode,
  partSegConcatWidth,
  partSegParamSpecs,
} from './dgcnn-partseg-config';
import type { EncoderPlanOptions, PointEncoder } from './point-encoder';
import { headBufferNames, planProjectionHead } from './projection-head';
import { ParamStore } from './param-store';

export type { PartSegPlanOptions } from './dgcnn-partseg-buffers';

/**
 * CrossPoint's DGCNN_partseg (src/nn/dgcnn-partseg-config.ts has the layer list and names) on the
 * GPU, forward and backward, training mode (batch statistics over every B·N·k edge, running
 * statistics updated, seeded dropout) and eval mode (running statistics, no dropout).
 *
 * The EdgeConv blocks are fused (planBlock): no B×C×N×k edge tensor is stored, and both BNs of a
 * two-conv block take their training statistics over every B·N·k edge, exactly as BatchNorm2d on
 * the edge tensor; `crosspoint plan --model partseg` prints the bytes against the edge-tensor
 * formulation. The kNN graphs are constants of the backward, as in PyTorch.
 */
export interface DgcnnPartSeg {
  readonly config: PartSegConfig;
  readonly batch: number;
  readonly points: number;
  /** Every tensor by reference name (inv_head's too, not trainable here). */
  readonly params: ParamStore;
  /** [B, 3, N] f32 the clouds, channel-major (written by the caller). */
  readonly input: GPUBuffer;
  /** [B, categories] f32 the category one-hot (written by the caller). */
  readonly category: GPUBuffer;
  /** [B, parts, N] f32 part logits. */
  readonly logits: GPUBuffer;
  /** [B, parts, N] f32 gradient of the loss with respect to the logits (written by the caller). */
  readonly dLogits?: GPUBuffer;
  /** [B, 3, N] gradient with respect to the points (with the backward). */
  readonly dInput?: GPUBuffer;
  /** [B, 9] the transform T (row-major 3×3) of the last forward. */
  readonly transform: GPUBuffer;
  /** [B, emb] the global feature (max over points of conv6). */
  readonly global: GPUBuffer;
  /** 4 × [B, N, k] i32: the transform net's graph of the points, then EdgeConv A, B, C's. */
  readonly knnBuffers: readonly GPUBuffer[];
  /**
   * The winners of every max, u32 (read as i32): 'transform_net.conv2', 'conv2', 'conv4', 'conv5'
   * [B, C, N] the slot 0…k−1 in that graph's kNN row; 'transform_net.conv3' [B, t3] and 'conv6'
   * [B, emb] the point index.
   */
  readonly argBuffers: ReadonlyMap<string, GPUBuffer>;
  readonly bufferSpecs: readonly BufferSpec[];
  /** Selects the dropout masks of training step `step` (writes uniforms; call before the submit). */
  setDropoutStep(step: number): void;
  /**
   * The forward over input and category. 'train' uses batch statistics, updates running ones,
   * counts a batch, and applies dropout unless opts.dropout is false; 'eval' never drops.
   */
  encodeForward(enc: GPUCommandEncoder, mode: BatchNormMode, opts?: { dropout?: boolean }): void;
  /** Backward of the last forward from dLogits: every trainable gradient (overwritten), dInput. */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** Every buffer createDgcnnPartSeg allocates on this adapter (its kNN split is the adapter's). */
export function partSegAllocationSpecs(
  ctx: GpuContext,
  c: PartSegConfig,
  o: PartSegPlanOptions,
): BufferSpec[] {
  return partSegBufferSpecs(c, o, defaultKnnSplits(ctx, o.batch, o.points));
}

interface Op {
  fwd(enc: GPUCommandEncoder, mode: BatchNormMode): void;
  bwd(enc: GPUCommandEncoder, mode: BatchNormMode): void;
  destroy(): void;
}

interface Build {
  ctx: GpuContext;
  c: PartSegConfig;
  B: number;
  N: number;
  bwd: boolean;
  /** BatchNorm running-statistics momentum (undefined: PyTorch's 0.1). */
  momentum?: number;
  prefix: string;
  params: ParamStore;
  arena: BufferArena;
  g(name: string): GPUBuffer;
  opt(name: string): GPUBuffer | undefined;
  grad(name: string): GPUBuffer | undefined;
}

/**
 * conv (1×1 over L columns, or a bias-free linear when L = 1) → BN → LeakyReLU in place, reading
 * `x` (a channel slice when xOffset/xBatchStride are given) and, with the backward, writing (or
 * adding into, accumulateDx) dx.
 */
async function planStage(
  r: Build,
  s: StageDef,
  x: GPUBuffer,
  dx: GPUBuffer | undefined,
  slice: { xOffset?: number; xBatchStride?: number; accumulateDx?: boolean } = {},
  grads?: { dA: GPUBuffer; dZ: GPUBuffer },
  acts?: { z: GPUBuffer; a: GPUBuffer },
): Promise<Op> {
  const { ctx, B, params, grad } = r;
  const n = stageBufferNames(r.prefix, s);
  const z = acts?.z ?? r.g(n.z);
  const a = acts?.a ?? r.g(n.a);
  const dA = grads?.dA ?? r.opt(n.dA);
  const dZ = grads?.dZ ?? r.opt(n.dZ);
  let conv: Conv1x1Op | LinearOp;
  if (s.L === 1) {
    conv = await planLinear(
      ctx,
      { B, inFeatures: s.Cin, outFeatures: s.Cout, bias: false, accumulateDx: slice.accumulateDx },
      { x, w: params.value(s.weight), y: z, dy: dZ, dx, dw: grad(s.weight) },
    );
  } else {
    conv = await planConv1x1(
      ctx,
      { B, Cin: s.Cin, Cout: s.Cout, N: s.L, ...slice },
      { x, w: params.value(s.weight), y: z, dy: dZ, dx, dw: grad(s.weight) },
    );
  }
  const bn: BatchNormOp = await planBatchNorm(
    ctx,
    { B, C: s.Cout, L: s.L, momentum: r.momentum },
    {
      x: z,
      y: a,
      gamma: params.value(`${s.bn}.weight`),
      beta: params.value(`${s.bn}.bias`),
      runningMean: params.value(`${s.bn}.running_mean`),
      runningVar: params.value(`${s.bn}.running_var`),
      ...(r.bwd ? { dy: dA, dx: dZ, dgamma: grad(`${s.bn}.weight`), dbeta: grad(`${s.bn}.bias`) } : {}),
    },
  );
  const act: ActivationOp = await planActivation(
    ctx,
    { n: B * s.Cout * s.L, kind: 'leaky_relu', slope: 0.2 },
    { x: a, y: a, dy: dA, dx: dA },
  );
  return {
    fwd(enc, mode) {
      conv.encodeForward(enc);
      bn.encodeForward(enc, mode);
      act.encodeForward(enc);
    },
    bwd(enc, mode) {
      act.encodeBackward(enc);
      bn.encodeBackward(enc, mode);
      conv.encodeBackward(enc);
    },
    destroy() {
      for (const o of [conv, bn, act]) o.destroy();
    },
  };
}

/** Max over the last axis of [R, L] rows (over k, or over points), arg-max kept, gradient to the winner. */
function planMaxRows(
  r: Build,
  R: number,
  L: number,
  x: GPUBuffer,
  out: GPUBuffer,
  arg: GPUBuffer,
  dout?: GPUBuffer,
  dx?: GPUBuffer,
) {
  return planPooling(r.ctx, { B: 1, C: R, N: L, mode: 'max' }, { x, out, arg, dout, dx });
}

/**
 * EdgeConv block g: kNN of its input (dense [B, C, N]), then one fused op for its per-edge convs,
 * BatchNorms (statistics over every B·N·k edge), LeakyReLUs and the max over k into blockOut(g):
 * planEdgeConv2 (shaders/edgeconv2.wgsl) for a block of two convs, planEdgeConv (edgeconv.wgsl)
 * for one. No per-edge tensor is stored; each op keeps what its backward needs (its per-point
 * projections and statistics), so the backward recomputes nothing. With the backward, the input
 * gradient goes to (or adds into) `dIn`.
 */
async function planBlock(
  r: Build,
  g: number,
  input: GPUBuffer,
  dIn: GPUBuffer | undefined,
  accumulateDx: boolean,
) {
  const { ctx, c, B, N, params } = r;
  const n = partSegBufferNames(r.prefix);
  const blk = partSegEdgeBlocks(c, N)[g]!;
  const knn: KnnOp = await planKnn(ctx, { B, N, C: blk.C, k: c.k }, { x: input, idx: r.g(n.knn(g)) });
  const bn = (s: StageDef) => ({
    gamma: params.value(`${s.bn}.weight`),
    beta: params.value(`${s.bn}.bias`),
    runningMean: params.value(`${s.bn}.running_mean`),
    runningVar: params.value(`${s.bn}.running_var`),
    dGamma: r.grad(`${s.bn}.weight`),
    dBeta: r.grad(`${s.bn}.bias`),
  });
  const io = {
    x: input,
    idx: r.g(n.knn(g)),
    y: r.g(n.blockOut(g)),
    argslot: r.g(n.arg(blk.maxed)),
    dy: r.opt(n.dBlockOut(g)),
    dx: dIn,
  };
  const [s1, s2] = blk.stages as [StageDef, StageDef | undefined];
  let op: EdgeConvOp | EdgeConv2Op;
  if (s2) {
    const a = bn(s1);
    const b = bn(s2);
    op = await planEdgeConv2(
      ctx,
      { B, N, k: c.k, C: blk.C, Cmid: s1.Cout, Cout: s2.Cout, accumulateDx, momentum: r.momentum },
      {
        ...io,
        weight1: params.value(s1.weight),
        gamma1: a.gamma,
        beta1: a.beta,
        runningMean1: a.runningMean,
        runningVar1: a.runningVar,
        dWeight1: r.grad(s1.weight),
        dGamma1: a.dGamma,
        dBeta1: a.dBeta,
        weight2: params.value(s2.weight),
        gamma2: b.gamma,
        beta2: b.beta,
        runningMean2: b.runningMean,
        runningVar2: b.runningVar,
        dWeight2: r.grad(s2.weight),
        dGamma2: b.dGamma,
        dBeta2: b.dBeta,
      },
    );
  } else {
    const a = bn(s1);
    op = await planEdgeConv(
      ctx,
      { B, N, k: c.k, C: blk.C, Cout: s1.Cout, accumulateDx, momentum: r.momentum },
      { ...io, weight: params.value(s1.weight), ...a, dWeight: r.grad(s1.weight) },
    );
  }
  return {
    fwd(enc: GPUCommandEncoder, mode: BatchNormMode) {
      knn.encode(enc);
      op.encodeForward(enc, mode);
    },
    bwd(enc: GPUCommandEncoder, mode: BatchNormMode) {
      op.encodeBackward(enc, mode);
    },
    destroy() {
      knn.destroy();
      op.destroy();
    },
  };
}

/** Parameters and every buffer of the spec list in `arena`, and the planning context. */
function allocatePartSeg(ctx: GpuContext, arena: BufferArena, c: PartSegConfig, o: PartSegPlanOptions) {
  checkPartSegShape(c, o);
  const prefix = o.prefix ?? 'partseg.';
  const bwd = o.backward ?? true;
  const mode = o.mode ?? 'segment';
  const specs = partSegAllocationSpecs(ctx, c, o);
  const params = new ParamStore(ctx, arena, partSegParamSpecs(c, mode), prefix);
  const paramNames = new Set(paramBufferSpecs(params.specs, prefix).map((s) => s.name));
  allocateSpecs(
    arena,
    specs.filter((s) => !paramNames.has(s.name)),
  );
  const r: Build = {
    ctx,
    c,
    B: o.batch,
    N: o.points,
    bwd,
    momentum: o.bnMomentum,
    prefix,
    params,
    arena,
    g: (name) => arena.get(name),
    opt: (name) => (bwd && arena.has(name) ? arena.get(name) : undefined),
    grad: (name) => (bwd ? params.grad(name) : undefined),
  };
  return { r, specs, mode };
}

/**
 * The encoder both modes share: the transform net, EdgeConv A, B, C (their outputs copied into
 * the x1…x3 rows of the concat buffer), conv6 and the global max g. Its backward starts from
 * dGlobal and the x1…x3 rows of dConcat (conv6's input gradient adds there when segmenting, where
 * conv8's backward has written them first).
 */
async function planPartSegEncoder(r: Build, mode: PartSegMode) {
  const { ctx, c, B, N, bwd, params, g, opt } = r;
  const n = partSegBufferNames(r.prefix);
  const ps = partSegPointStages(c, N, mode);
  const sn = (s: StageDef) => stageBufferNames(r.prefix, s);
  const cat = partSegCatLayout(c, mode);
  const e = c.edge;
  const [, , t3, , t5] = c.tnet;

  // Transform net: block 0 on the points, conv3, max over points, linear1, linear2, transform.
  const block0 = await planBlock(r, 0, g(n.input), opt(n.dInput), true);
  const tconv3 = await planStage(r, ps.tconv3!, g(n.blockOut(0)), opt(n.dBlockOut(0)));
  const tpool = await planMaxRows(
    r,
    B * t3,
    N,
    g(sn(ps.tconv3!).a),
    g(n.tPool),
    g(n.arg('transform_net.conv3')),
    opt(n.dTPool),
    opt(sn(ps.tconv3!).dA),
  );
  const lin1 = await planStage(r, ps.linear1!, g(n.tPool), opt(n.dTPool));
  const lin2 = await planStage(r, ps.linear2!, g(sn(ps.linear1!).a), opt(sn(ps.linear1!).dA));
  const transform = await planLinear(
    ctx,
    { B, inFeatures: t5, outFeatures: 9, bias: true },
    {
      x: g(sn(ps.linear2!).a),
      w: params.value('transform_net.transform.weight'),
      b: params.value('transform_net.transform.bias'),
      y: g(n.T),
      dy: opt(n.dT),
      dx: opt(sn(ps.linear2!).dA),
      dw: r.grad('transform_net.transform.weight'),
      db: r.grad('transform_net.transform.bias'),
    },
  );
  // x' [b] (3×N) = T[b]ᵀ · x[b]: T[b] stored [3, 3] = [K, M].
  const applyT = await planMatmul(
    ctx,
    { batch: B, M: 3, N, K: 3, transA: true, strideA: 9, strideB: 3 * N, strideC: 3 * N },
    { a: g(n.T), b: g(n.input), c: g(n.xt) },
  );
  const applyTBack: MatmulOp[] = [];
  if (bwd) {
    // dT[b] [3, 3] = x[b] · dx'[b]ᵀ;  dInput[b] = T[b] · dx'[b] (overwrite; block 0 adds later).
    applyTBack.push(
      await planMatmul(
        ctx,
        { batch: B, M: 3, N: 3, K: N, transB: true, strideA: 3 * N, strideB: 3 * N, strideC: 9 },
        { a: g(n.input), b: g(n.dXt), c: g(n.dT) },
      ),
      await planMatmul(
        ctx,
        { batch: B, M: 3, N, K: 3, strideA: 9, strideB: 3 * N, strideC: 3 * N },
        { a: g(n.T), b: g(n.dXt), c: g(n.dInput) },
      ),
    );
  }

  // EdgeConv A, B, C (dense inputs: x', x1, x2).
  const blockA = await planBlock(r, 1, g(n.xt), opt(n.dXt), false);
  const blockB = await planBlock(r, 2, g(n.blockOut(1)), opt(n.dBlockOut(1)), true);
  const blockC = await planBlock(r, 3, g(n.blockOut(2)), opt(n.dBlockOut(2)), true);

  // conv6 reads x1, x2, x3 where they sit in the concat buffer.
  const conv6 = await planStage(r, ps.conv6!, g(n.concat), opt(n.dConcat), {
    xOffset: cat.first * N,
    xBatchStride: cat.width * N,
    accumulateDx: mode === 'segment',
  });
  const gpool = await planMaxRows(
    r,
    B * c.emb,
    N,
    g(sn(ps.conv6!).a),
    g(n.global),
    g(n.arg('conv6')),
    opt(n.dGlobal),
    opt(sn(ps.conv6!).dA),
  );

  /** Copies x_q (dense [B, e, N]) into the concat rows, or back for the gradients. */
  const copyX = (enc: GPUCommandEncoder, q: number, toConcat: boolean) => {
    const dense = toConcat ? g(n.blockOut(q + 1)) : g(n.dBlockOut(q + 1));
    const all = toConcat ? g(n.concat) : g(n.dConcat);
    for (let b = 0; b < B; b++) {
      const d = b * e * N * 4;
      const s = (b * cat.width + cat.first + q * e) * N * 4;
      if (toConcat) enc.copyBufferToBuffer(dense, d, all, s, e * N * 4);
      else enc.copyBufferToBuffer(all, s, dense, d, e * N * 4);
    }
  };
  const ops = [
    block0,
    tconv3,
    tpool,
    lin1,
    lin2,
    transform,
    applyT,
    ...applyTBack,
    blockA,
    blockB,
    blockC,
    conv6,
    gpool,
  ];
  return {
    fwd(enc: GPUCommandEncoder, m: BatchNormMode) {
      block0.fwd(enc, m);
      tconv3.fwd(enc, m);
      tpool.encodeForward(enc);
      lin1.fwd(enc, m);
      lin2.fwd(enc, m);
      transform.encodeForward(enc);
      applyT.encode(enc);
      blockA.fwd(enc, m);
      blockB.fwd(enc, m);
      blockC.fwd(enc, m);
      for (let q = 0; q < 3; q++) copyX(enc, q, true);
      conv6.fwd(enc, m);
      gpool.encodeForward(enc);
    },
    bwd(enc: GPUCommandEncoder, m: BatchNormMode) {
      gpool.encodeBackward(enc);
      conv6.bwd(enc, m);
      for (let q = 0; q < 3; q++) copyX(enc, q, false);
      blockC.bwd(enc, m); // adds into dx2
      blockB.bwd(enc, m); // adds into dx1
      blockA.bwd(enc, m); // writes dx'
      for (const op of applyTBack) op.encode(enc);
      transform.encodeBackward(enc);
      lin2.bwd(enc, m);
      lin1.bwd(enc, m);
      tpool.encodeBackward(enc);
      tconv3.bwd(enc, m);
      block0.bwd(enc, m); // adds into dInput
    },
    destroy() {
      for (const op of ops) op.destroy();
    },
  };
}

/** The arena buffers every mode exposes. */
function exposed(r: Build) {
  const n = partSegBufferNames(r.prefix);
  return {
    input: r.g(n.input),
    dInput: r.opt(n.dInput),
    transform: r.g(n.T),
    global: r.g(n.global),
    knnBuffers: [0, 1, 2, 3].map((q) => r.g(n.knn(q))),
    argBuffers: new Map(
      ['transform_net.conv2', 'conv2', 'conv4', 'conv5', 'transform_net.conv3', 'conv6'].map((k) => [
        k,
        r.g(n.arg(k)),
      ]),
    ),
  };
}

/**
 * Plans the part-segmentation model in `arena`: parameters (ParamStore, values uploaded by the
 * caller), activations, indices and, by default, gradients. encodeForward / encodeBackward only
 * record passes.
 */
export async function createDgcnnPartSeg(
  ctx: GpuContext,
  arena: BufferArena,
  c: PartSegConfig,
  o: PartSegPlanOptions,
): Promise<DgcnnPartSeg> {
  if ((o.mode ?? 'segment') !== 'segment')
    throw new Error('createDgcnnPartSeg: use createDgcnnSegEncoder to pretrain');
  const { r, specs } = allocatePartSeg(ctx, arena, c, o);
  const { B, N, bwd, params, g, opt } = r;
  const n = partSegBufferNames(r.prefix);
  const ps = partSegPointStages(c, N);
  const sn = (s: StageDef) => stageBufferNames(r.prefix, s);
  const W = partSegConcatWidth(c);
  const ones = g(n.ones);
  ctx.device.queue.writeBuffer(ones, 0, new Float32Array(N).fill(1));
  const encoder = await planPartSegEncoder(r, 'segment');

  const conv7 = await planStage(r, ps.conv7!, g(n.category), undefined);
  // [g ; category feature] at every point: an outer product with ones [N].
  const repeat = async (src: GPUBuffer, C: number, row0: number) =>
    planMatmul(
      ctx,
      { batch: B, M: C, N, K: 1, strideA: C, strideB: 0, strideC: W * N, offsetC: row0 * N },
      { a: src, b: ones, c: g(n.concat) },
    );
  const repeats = [await repeat(g(n.global), c.emb, 0), await repeat(g(sn(ps.conv7!).a), c.category, c.emb)];
  const repeatBack: MatmulOp[] = [];
  if (bwd) {
    // Sums over the points: d[b] [C, 1] = dConcat[b] rows · ones.
    const back = (dst: GPUBuffer, C: number, row0: number) =>
      planMatmul(
        ctx,
        { batch: B, M: C, N: 1, K: N, strideA: W * N, offsetA: row0 * N, strideB: 0, strideC: C },
        { a: g(n.dConcat), b: ones, c: dst },
      );
    repeatBack.push(await back(g(n.dGlobal), c.emb, 0), await back(g(sn(ps.conv7!).dA), c.category, c.emb));
  }

  // Head: conv8 → dropout → conv9 → dropout → conv10 → conv11.
  const conv8 = await planStage(r, ps.conv8!, g(n.concat), opt(n.dConcat));
  const seed = o.dropoutSeed ?? 0;
  const drop0: DropoutOp = await planDropout(
    ctx,
    { n: B * c.head[0] * N, p: c.dropout, seed, layer: 0 },
    { x: g(sn(ps.conv8!).a), y: g(n.drop(0)), dy: opt(n.dDrop(0)), dx: opt(sn(ps.conv8!).dA) },
  );
  const conv9 = await planStage(r, ps.conv9!, g(n.drop(0)), opt(n.dDrop(0)));
  const drop1: DropoutOp = await planDropout(
    ctx,
    { n: B * c.head[1] * N, p: c.dropout, seed, layer: 1 },
    { x: g(sn(ps.conv9!).a), y: g(n.drop(1)), dy: opt(n.dDrop(1)), dx: opt(sn(ps.conv9!).dA) },
  );
  const conv10 = await planStage(r, ps.conv10!, g(n.drop(1)), opt(n.dDrop(1)));
  const conv11 = await planConv1x1(
    ctx,
    { B, Cin: c.head[2], Cout: c.parts, N },
    {
      x: g(sn(ps.conv10!).a),
      w: params.value('conv11.weight'),
      y: g(n.logits),
      dy: opt(n.dLogits),
      dx: opt(sn(ps.conv10!).dA),
      dw: r.grad('conv11.weight'),
    },
  );

  let lastMode: BatchNormMode | undefined;
  const all: { destroy(): void }[] = [
    encoder,
    conv7,
    ...repeats,
    ...repeatBack,
    conv8,
    drop0,
    conv9,
    drop1,
    conv10,
    conv11,
  ];
  return {
    config: c,
    batch: B,
    points: N,
    params,
    ...exposed(r),
    category: g(n.category),
    logits: g(n.logits),
    dLogits: opt(n.dLogits),
    bufferSpecs: specs,
    setDropoutStep(step) {
      drop0.setStep(step);
      drop1.setStep(step);
    },
    encodeForward(enc, mode, opts = {}) {
      const dropping = mode === 'train' && opts.dropout !== false;
      encoder.fwd(enc, mode);
      conv7.fwd(enc, mode);
      for (const op of repeats) op.encode(enc);
      conv8.fwd(enc, mode);
      drop0.encodeForward(enc, dropping);
      conv9.fwd(enc, mode);
      drop1.encodeForward(enc, dropping);
      conv10.fwd(enc, mode);
      conv11.encodeForward(enc);
      if (mode === 'train') params.countBatch();
      lastMode = mode;
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('DGCNN_partseg: planned without the backward');
      const mode = lastMode;
      if (!mode) throw new Error('DGCNN_partseg: encodeBackward before any encodeForward');
      conv11.encodeBackward(enc);
      conv10.bwd(enc, mode);
      drop1.encodeBackward(enc);
      conv9.bwd(enc, mode);
      drop0.encodeBackward(enc);
      conv8.bwd(enc, mode); // overwrites dConcat
      for (const op of repeatBack) op.encode(enc); // dGlobal, conv7's dA
      conv7.bwd(enc, mode);
      encoder.bwd(enc, mode);
    },
    destroy() {
      for (const op of all) op.destroy();
    },
  };
}

/** The `dgcnn_seg` encoder as a PointEncoder: features = g [B, emb], projections = inv_head(g). */
export interface DgcnnSegEncoder extends PointEncoder {
  readonly kind: 'dgcnn_seg';
  readonly config: PartSegConfig;
  readonly transform: GPUBuffer;
  readonly knnBuffers: readonly GPUBuffer[];
  readonly argBuffers: ReadonlyMap<string, GPUBuffer>;
}

/**
 * Plans the reference's `dgcnn_seg` pretraining encoder (DGCNN_partseg with pretrain = True): the
 * part-segmentation encoder up to the global max g, then inv_head. Its tensors are
 * partSegParamSpecs(c, 'pretrain'), so a checkpoint loads into the segmentation model with only
 * conv7…conv11 missing.
 */
export async function createDgcnnSegEncoder(
  ctx: GpuContext,
  arena: BufferArena,
  c: PartSegConfig,
  o: EncoderPlanOptions,
): Promise<DgcnnSegEncoder> {
  if (o.featureGrad) throw new Error('createDgcnnSegEncoder: featureGrad is not supported');
  const { r, specs } = allocatePartSeg(ctx, arena, c, {
    ...o,
    prefix: o.prefix ?? 'point.',
    mode: 'pretrain',
  });
  const { B, bwd, params, g, opt } = r;
  const n = partSegBufferNames(r.prefix);
  const encoder = await planPartSegEncoder(r, 'pretrain');
  const hn = headBufferNames(n.head);
  const head = await planProjectionHead(ctx, params, partSegHeadConfig(c), B, {
    x: g(n.global),
    y: g(n.projections),
    dy: opt(n.dProjections),
    dx: opt(n.dGlobal),
    h: g(hn.h),
    a: g(hn.a),
    da: opt(hn.da),
    dh: opt(hn.dh),
  });
  let lastMode: BatchNormMode | undefined;
  return {
    kind: 'dgcnn_seg',
    config: c,
    batch: B,
    points: r.N,
    params,
    ...exposed(r),
    features: g(n.global),
    projections: g(n.projections),
    dProjections: opt(n.dProjections),
    dFeatures: opt(n.dGlobal),
    featureWidth: c.emb,
    projWidth: c.proj,
    bufferSpecs: specs,
    encodeForward(enc, mode) {
      encoder.fwd(enc, mode);
      head.encodeForward(enc, mode);
      if (mode === 'train') params.countBatch();
      lastMode = mode;
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('dgcnn_seg: planned without the backward');
      if (!lastMode) throw new Error('dgcnn_seg: encodeBackward before any encodeForward');
      head.encodeBackward(enc);
      encoder.bwd(enc, lastMode);
    },
    destroy() {
      encoder.destroy();
      head.destroy();
    },
  };
}
