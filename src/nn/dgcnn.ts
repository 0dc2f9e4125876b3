import type { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { type ActivationOp, planActivation } from '../kernels/activation';
import { type BatchNormMode, type BatchNormOp, planBatchNorm } from '../kernels/batchnorm';
import { type EdgeConvOp, planEdgeConv } from '../kernels/edgeconv';
import { defaultKnnSplits, type KnnOp, planKnn } from '../kernels/knn';
import { type PoolOp, planPooling } from '../kernels/pooling';
import { allocateModel, type BufferSpec } from './buffer-plan';
import { checkDgcnnShape, concatOffset, dgcnnBufferNames, dgcnnBufferSpecs } from './dgcnn-buffers';
import { type Conv1x1Op, planConv1x1 } from './conv1x1';
import { type DgcnnConfig, concatWidth, dgcnnParamSpecs, edgeInputWidth } from './dgcnn-config';
import { dgcnnHeadConfig } from './dgcnn-head';
import type { ParamStore } from './param-store';
import type { EncoderPlanOptions, PointEncoder } from './point-encoder';
import { headBufferNames, planProjectionHead } from './projection-head';

/**
 * The DGCNN point encoder with CrossPoint's projection head (DESIGN.md §1, crosspoint-weights.md):
 *
 *   input [B, 3, N]
 *   EdgeConv l = 1..4: kNN of its input (xyz for l = 1, EdgeConv l−1's output for l > 1; self
 *     included, nearest first), then the fused EdgeConv (conv 1×1 on [x_j − x_i ; x_i] → BN2d over
 *     the B·N·k edges → LeakyReLU(0.2) → max over k) writing channels c0_l … of concat [B, 512, N]
 *   conv5 (1×1, W broadcast) → BN1d over B·N → LeakyReLU(0.2) → [max ; mean] over points
 *     = features [B, 2·emb]
 *   inv_head: Linear 2·emb → hidden (bias) → BN → ReLU → Linear → proj (bias) = projections
 *
 * The kNN graphs are constants of the backward (no gradient flows through the neighbour choice).
 * Every buffer is planned once in the caller's arena (dgcnnBufferSpecs lists them, and
 * `crosspoint plan` prints the same list), so a step allocates nothing.
 */
export interface Dgcnn extends PointEncoder {
  readonly kind: 'dgcnn';
  readonly config: DgcnnConfig;
  /** [B, N, k] i32 per EdgeConv (index l − 1): the neighbours it used, nearest first, self included. */
  readonly knnBuffers: readonly GPUBuffer[];
  /** [B, Cout_l, N] i32 per EdgeConv: the slot 0…k−1 (in that point's kNN row) that won the max. */
  readonly argBuffers: readonly GPUBuffer[];
  /** [B, 512, N] the concatenated EdgeConv outputs (conv5's input). */
  readonly concat: GPUBuffer;
  /** Bytes each EdgeConv plan allocated for itself (EdgeConvOp.bytes), by layer. */
  readonly edgeConvBytes: readonly number[];
}

/** The buffers createDgcnn allocates on this adapter (its kNN split is the adapter's choice). */
export function dgcnnAllocationSpecs(ctx: GpuContext, c: DgcnnConfig, o: EncoderPlanOptions): BufferSpec[] {
  return dgcnnBufferSpecs(c, o, defaultKnnSplits(ctx, o.batch, o.points));
}

/** What the planning phases share: sizes, the arena's buffers by name, the parameters. */
interface DgcnnBuild {
  ctx: GpuContext;
  c: DgcnnConfig;
  B: number;
  N: number;
  bwd: boolean;
  params: ParamStore;
  specs: BufferSpec[];
  n: ReturnType<typeof dgcnnBufferNames>;
  g(name: string): GPUBuffer;
  /** The buffer, or undefined when this plan does not allocate it (the backward's). */
  opt(name: string): GPUBuffer | undefined;
  /** A parameter's gradient, or undefined without the backward. */
  grad(name: string): GPUBuffer | undefined;
}

/** Phase 1: the shape check, the parameters (ParamStore) and every other buffer of the spec list. */
function allocateDgcnn(
  ctx: GpuContext,
  arena: BufferArena,
  c: DgcnnConfig,
  o: EncoderPlanOptions,
): DgcnnBuild {
  checkDgcnnShape(c, o);
  const prefix = o.prefix ?? 'point.';
  const bwd = o.backward ?? true;
  if (o.inputGrad && !bwd) throw new Error('createDgcnn: inputGrad needs the backward');
  const specs = dgcnnAllocationSpecs(ctx, c, o);
  const { params, g, opt } = allocateModel(ctx, arena, dgcnnParamSpecs(c), specs, prefix, bwd);
  return {
    ctx,
    c,
    B: o.batch,
    N: o.points,
    bwd,
    params,
    specs,
    n: dgcnnBufferNames(prefix),
    g,
    opt,
    grad: (name) => (bwd ? params.grad(name) : undefined),
  };
}

/**
 * Phase 2, EdgeConv l (1-based): the kNN of its input (xyz for l = 1, EdgeConv l−1's channel
 * slice of the concat buffer) and the fused EdgeConv writing its own slice of concat.
 */
async function planEdgeLayer(r: DgcnnBuild, l: number): Promise<{ knn: KnnOp; edge: EdgeConvOp }> {
  const { ctx, c, B, N, n, g, params, grad } = r;
  const C = edgeInputWidth(c, l);
  const O = c.edgeWidths[l - 1]!;
  const Ctot = concatWidth(c);
  const concat = g(n.concat);
  const dConcat = r.opt(n.dConcat);
  const src =
    l === 1
      ? { buf: g(n.input), offset: 0, stride: 3 * N }
      : { buf: concat, offset: concatOffset(c, l - 1) * N, stride: Ctot * N };
  const knn = await planKnn(
    ctx,
    { B, N, C, k: c.k, offset: src.offset, batchStride: src.stride },
    { x: src.buf, idx: g(n.knn(l)) },
  );
  const edge = await planEdgeConv(
    ctx,
    {
      B,
      N,
      k: c.k,
      C,
      Cout: O,
      inOffset: src.offset,
      inBatchStride: src.stride,
      outOffset: concatOffset(c, l) * N,
      outBatchStride: Ctot * N,
      // Layer l−1's output also feeds conv5, whose backward has already written its gradient.
      accumulateDx: l > 1,
    },
    {
      x: src.buf,
      idx: g(n.knn(l)),
      weight: params.value(`conv${l}.0.weight`),
      gamma: params.value(`bn${l}.weight`),
      beta: params.value(`bn${l}.bias`),
      runningMean: params.value(`bn${l}.running_mean`),
      runningVar: params.value(`bn${l}.running_var`),
      y: concat,
      argslot: g(n.arg(l)),
      ...(r.bwd
        ? {
            dy: dConcat,
            dx: l === 1 ? g(n.dInput) : dConcat,
            dWeight: grad(`conv${l}.0.weight`),
            dGamma: grad(`bn${l}.weight`),
            dBeta: grad(`bn${l}.bias`),
          }
        : {}),
    },
  );
  return { knn, edge };
}

/** Phase 3: conv5 (1×1, W broadcast) → BN1d → LeakyReLU in place → [max ; mean] over points. */
async function planConv5(r: DgcnnBuild) {
  const { ctx, c, B, N, n, g, opt, params, grad } = r;
  const emb = c.emb;
  const conv5: Conv1x1Op = await planConv1x1(
    ctx,
    { B, Cin: concatWidth(c), Cout: emb, N },
    {
      x: g(n.concat),
      w: params.value('conv5.0.weight'),
      y: g(n.z5),
      dy: opt(n.dZ5),
      dx: opt(n.dConcat),
      dw: grad('conv5.0.weight'),
    },
  );
  const bn5: BatchNormOp = await planBatchNorm(
    ctx,
    { B, C: emb, L: N },
    {
      x: g(n.z5),
      y: g(n.a5),
      gamma: params.value('bn5.weight'),
      beta: params.value('bn5.bias'),
      runningMean: params.value('bn5.running_mean'),
      runningVar: params.value('bn5.running_var'),
      ...(r.bwd ? { dy: g(n.dA5), dx: g(n.dZ5), dgamma: grad('bn5.weight'), dbeta: grad('bn5.bias') } : {}),
    },
  );
  const act5: ActivationOp = await planActivation(
    ctx,
    { n: B * emb * N, kind: 'leaky_relu', slope: 0.2 },
    { x: g(n.a5), y: g(n.a5), dy: opt(n.dA5), dx: opt(n.dA5) },
  );
  const pool: PoolOp = await planPooling(
    ctx,
    { B, C: emb, N, mode: 'maxmean' },
    { x: g(n.a5), out: g(n.features), arg: g(n.poolArg), dout: opt(n.dFeatures), dx: opt(n.dA5) },
  );
  return { conv5, bn5, act5, pool };
}

/** Phase 4: inv_head on the pooled features (featureGrad: its input gradient adds into dFeatures). */
function planHead(r: DgcnnBuild, o: EncoderPlanOptions) {
  const { n, g, opt } = r;
  const hn = headBufferNames(n.head);
  return planProjectionHead(
    r.ctx,
    r.params,
    dgcnnHeadConfig(r.c),
    r.B,
    {
      x: g(n.features),
      y: g(n.projections),
      dy: opt(n.dProjections),
      dx: opt(n.dFeatures),
      h: g(hn.h),
      a: g(hn.a),
      da: opt(hn.da),
      dh: opt(hn.dh),
    },
    { accumulateDx: o.featureGrad },
  );
}

/**
 * Plans the DGCNN encoder in `arena`: parameters (ParamStore, values uploaded by the caller),
 * activations, indices and gradients. With `backward`, dProjections (and with featureGrad also
 * dFeatures) drive encodeBackward to every parameter gradient and to dInput. Phases: buffers,
 * the four EdgeConv layers, conv5 and pooling, the head.
 */
export async function createDgcnn(
  ctx: GpuContext,
  arena: BufferArena,
  c: DgcnnConfig,
  o: EncoderPlanOptions,
): Promise<Dgcnn> {
  const r = allocateDgcnn(ctx, arena, c, o);
  const { n, g, opt, params, bwd } = r;
  const knns: KnnOp[] = [];
  const edges: EdgeConvOp[] = [];
  for (let l = 1; l <= 4; l++) {
    const { knn, edge } = await planEdgeLayer(r, l);
    knns.push(knn);
    edges.push(edge);
  }
  const { conv5, bn5, act5, pool } = await planConv5(r);
  const head = await planHead(r, o);
  let lastMode: BatchNormMode | undefined;
  return {
    kind: 'dgcnn',
    config: c,
    batch: o.batch,
    points: o.points,
    params,
    input: g(n.input),
    features: g(n.features),
    projections: g(n.projections),
    dProjections: opt(n.dProjections),
    dFeatures: opt(n.dFeatures),
    dInput: opt(n.dInput),
    featureWidth: 2 * c.emb,
    projWidth: c.proj,
    bufferSpecs: r.specs,
    knnBuffers: [1, 2, 3, 4].map((l) => g(n.knn(l))),
    argBuffers: [1, 2, 3, 4].map((l) => g(n.arg(l))),
    concat: g(n.concat),
    edgeConvBytes: edges.map((e) => e.bytes),
    encodeForward(enc, mode) {
      for (let l = 0; l < 4; l++) {
        knns[l]!.encode(enc);
        edges[l]!.encodeForward(enc, mode);
      }
      conv5.encodeForward(enc);
      bn5.encodeForward(enc, mode);
      act5.encodeForward(enc);
      pool.encodeForward(enc);
      head.encodeForward(enc, mode);
      if (mode === 'train') params.countBatch();
      lastMode = mode;
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('DGCNN: planned without the backward');
      if (!lastMode) throw new Error('DGCNN: encodeBackward before any encodeForward');
      head.encodeBackward(enc);
      pool.encodeBackward(enc);
      act5.encodeBackward(enc);
      bn5.encodeBackward(enc, lastMode);
      conv5.encodeBackward(enc);
      for (let l = 3; l >= 0; l--) edges[l]!.encodeBackward(enc, lastMode);
    },
    destroy() {
      for (const op of [...knns, ...edges, conv5, bn5, act5, pool, head]) op.destroy();
    },
  };
}
