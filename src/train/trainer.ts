import { drawImageAugment, type ImageAugmentParams } from '../kernels/image_augment-params';
import { planViewGatherU8 } from '../kernels/view_gather_u8';
import { planImageAugment } from '../kernels/image_augment';
import { planPointAugment } from '../kernels/point_augment';
import { CROSSPOINT_AUGMENT, NO_AUGMENT } from '../kernels/point_augment-params';
import { BufferArena } from '../gpu/arena';
import { readBufferBytes } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize } from '../gpu/limits';
import type { GpuTimer } from '../gpu/timer';
import { type AdamSlot, planAdam } from '../kernels/adam';
import { createDgcnn, dgcnnAllocationSpecs } from '../nn/dgcnn';
import { dgcnnParamSpecs } from '../nn/dgcnn-config';
import { createDgcnnSegEncoder, partSegAllocationSpecs } from '../nn/dgcnn-partseg';
import { partSegConfigForPreset, partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import type { HostTensors, ParamStore } from '../nn/param-store';
import { initialiseParams, type ParamSpec } from '../nn/param-spec';
import type { PointEncoder } from '../nn/point-encoder';
import { createResNet, type ResNet as ImageEncoder } from '../nn/resnet';
import { resnetParamSpecs } from '../nn/resnet-config';
import { Rng } from '../util/random';
import { type CheckpointState, decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { type EvalForward, evalCloudsFeatures, readEvalFeatures } from './eval-features';
import type { MetricsHistory } from './metrics-history';
import { planObjective } from './objective';
import { cosineLr, stepsPerEpoch } from './schedule';
import { checkTrainConfig, explicitConfig, type ResolvedConfig, resolveConfig } from './train-config';
import { type StagedBatch, StreamRing } from './stream-ring';
import type { TrainingData } from './training-data';
import {
  datasetIdentity,
  type EmbeddingSet,
  type StepMetrics,
  type TrainConfig,
  type TrainFault,
} from './trainer-api';

/** Tensor lists of both models for a config (checkpoint validation uses them). */
export function modelSpecs(c: TrainConfig): { point: ParamSpec[]; image: ParamSpec[] } {
  const r = resolveConfig(c);
  const point =
    r.encoder === 'dgcnn_seg'
      ? partSegParamSpecs(partSegConfigForPreset(r.dgcnn), 'pretrain')
      : dgcnnParamSpecs(r.dgcnn);
  return { point, image: resnetParamSpecs(r.resnet) };
}

export type StepResult = { ok: true; metrics: StepMetrics } | { ok: false; fault: TrainFault };

/** A view as it is: no colour jitter, no flip (only the normalisation the augment pass always does). */
function plainView(src: number): ImageAugmentParams {
  return { src, order: [0, 1, 2], brightness: 1, contrast: 1, saturation: 1, flip: false };
}

/**
 * CrossPoint pretraining on one device (DESIGN.md §1): each step takes B objects, augments each
 * cloud twice (one forward over the 2B clouds, so BatchNorm sees both copies), renders nothing
 * (views are pre-rendered on the GPU) but augments one random view per object, runs both
 * encoders, the objective, both backwards and Adam, all recorded into one command buffer, and
 * reads back only the two losses and the non-finite flags.
 */
export class Trainer {
  step = 0;
  private rng: Rng;
  private stepTimeEma = 0;
  /** The last checkpoint known to be finite, restored on a non-finite step. */
  private lastGood: Uint8Array | undefined;

  private constructor(
    readonly ctx: GpuContext,
    /** Changed only by continueTo (more epochs); everything else is fixed for the trainer's life. */
    public config: TrainConfig,
    public resolved: ResolvedConfig,
    readonly data: TrainingData,
    readonly arena: BufferArena,
    readonly point: PointEncoder,
    readonly image: ImageEncoder,
    private readonly ops: Awaited<ReturnType<typeof planStep>>,
  ) {
    this.rng = new Rng(resolved.seed);
  }

  static async create(ctx: GpuContext, config: TrainConfig, data: TrainingData): Promise<Trainer> {
    // Settings the kernels cannot run, or that this data cannot feed, are refused before anything is built.
    const r = checkTrainConfig(config, {
      trainObjects: data.trainIndices.length,
      pointsPerCloud: data.pointsPerCloud,
      imageSize: data.imageSize,
    });
    const B = r.batch;
    const lower = 'the batch, the point count or the preset';
    // Both augmented views of each object in one batch.
    const pointPlan = { batch: 2 * B, points: r.points, prefix: 'point.' };
    // Refuse a step over the adapter's buffer limits before anything is allocated: the point
    // encoder's list is exactly what createDgcnn allocates, and a step's largest buffers are there.
    const seg = r.encoder === 'dgcnn_seg' ? partSegConfigForPreset(r.dgcnn) : undefined;
    const pointSpecs = seg
      ? partSegAllocationSpecs(ctx, seg, { ...pointPlan, mode: 'pretrain' })
      : dgcnnAllocationSpecs(ctx, r.dgcnn, pointPlan);
    for (const s of pointSpecs)
      checkBufferSize(ctx.limits, s.bytes, `a ${r.name} step's buffer "${s.name}"`, lower);
    const arena = new BufferArena(ctx, lower);
    try {
      const point = seg
        ? await createDgcnnSegEncoder(ctx, arena, seg, pointPlan)
        : await createDgcnn(ctx, arena, r.dgcnn, pointPlan);
      const image = await createResNet(ctx, arena, r.resnet, {
        batch: B,
        imageSize: r.imageSize,
        prefix: 'image.',
      });
      const ops = await planStep(ctx, arena, r, data, point, image);
      const t = new Trainer(ctx, config, r, data, arena, point, image, ops);
      t.initialiseWeights();
      return t;
    } catch (e) {
      // A limit hit by a later buffer must not leave the earlier ones allocated.
      arena.destroy();
      throw e;
    }
  }

  get gpuBytes(): number {
    return this.arena.totalBytes;
  }

  /** A streamed set's reads from its cache so far (undefined for a resident set). */
  get streamReads() {
    return this.ops.streamReads();
  }

  get stepsPerEpoch(): number {
    return stepsPerEpoch(this.data.trainIndices.length, this.resolved.batch);
  }

  get totalSteps(): number {
    return this.stepsPerEpoch * this.resolved.epochs;
  }

  /**
   * Trains on to `epochs` epochs in all (more than now): the cosine schedule is recomputed over
   * the new total, so the learning rate rises again to its value at the current epoch of the
   * longer schedule and decays to zero at the new end.
   */
  continueTo(epochs: number): void {
    if (!Number.isInteger(epochs) || epochs <= this.resolved.epochs)
      throw new RangeError(`continueTo: ${epochs} epochs is not more than the run's ${this.resolved.epochs}`);
    this.config = { ...this.config, epochs };
    this.resolved = { ...this.resolved, epochs };
  }

  /** Fresh weights from the seed (PyTorch's default initialisation), zero optimiser state. */
  private initialiseWeights(): void {
    const s = this.resolved.seed;
    this.point.params.upload(initialiseParams(this.point.params.specs, s));
    this.image.params.upload(initialiseParams(this.image.params.specs, (s ^ 0x1b873593) >>> 0));
    const enc = this.ctx.device.createCommandEncoder();
    for (const slot of this.ops.slots) {
      enc.clearBuffer(slot.m);
      enc.clearBuffer(slot.v);
    }
    this.ctx.device.queue.submit([enc.finish()]);
  }

  /** Back to step 0 with the seed's initial weights and generator. */
  reset(): void {
    this.initialiseWeights();
    this.step = 0;
    this.rng = new Rng(this.resolved.seed);
    this.lastGood = undefined;
  }

  /**
   * The B training objects of the next step: each epoch a fresh shuffle of the train split, drawn
   * from a generator keyed by (seed, epoch), so a run resumed mid-epoch sees the same order.
   */
  private nextBatch(step = this.step): number[] {
    const B = this.resolved.batch;
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const inEpoch = step % this.stepsPerEpoch;
    if (this.config.fixedBatch) return this.data.trainIndices.slice(0, B);
    if (this.orderEpoch !== epoch) {
      this.order = new Rng((this.resolved.seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0).shuffle([
        ...this.data.trainIndices,
      ]);
      this.orderEpoch = epoch;
    }
    return this.order.slice(inEpoch * B, inEpoch * B + B);
  }

  private order: number[] = [];
  private orderEpoch = -1;

  /**
   * Picks each object's view, makes the batch readable on the GPU (a streamed set reads it from
   * its cache into the ring, or finds it prefetched there) and sets this step's augmentation
   * parameters; returns the indices the cloud copies read. With augment off nothing is drawn for
   * the augmentations: the clouds take the normalise-only pass (both copies the same cloud) and
   * the views only the fixed normalisation, whatever the generator holds.
   */
  private async prepareInputs(batch: readonly number[]): Promise<number[]> {
    const V = this.data.viewsPerObject;
    const views = batch.map((obj) => obj * V + this.rng.int(V));
    const staged = await this.ops.stage(batch, views);
    this.setAugment(this.ops.selectViews(staged.views));
    return staged.objects;
  }

  /**
   * A streamed set: starts reading the next step's batch into the ring's free slot while this
   * step runs. Its objects follow from (seed, epoch); its views are the generator's next draws,
   * read from a copy so the run's own draws are untouched. A guess that turns out wrong (a
   * restored checkpoint, an analysis in between) only costs a read at the next step.
   */
  private prefetchNext(): void {
    if (!this.ops.streaming || this.step + 1 >= this.totalSteps) return;
    const next = this.nextBatch(this.step + 1);
    const peek = new Rng();
    peek.setState(this.rng.getState());
    const V = this.data.viewsPerObject;
    this.ops.prefetch(
      next,
      next.map((obj) => obj * V + peek.int(V)),
    );
  }

  private setAugment(src: number[]): void {
    if (!this.resolved.augment) {
      this.ops.imageAugment.setParams(src.map(plainView));
      return;
    }
    this.ops.pointAugment.draw(this.rng);
    this.ops.imageAugment.setParams(drawImageAugment(this.rng, src));
  }

  /** Gathers the batch and records the point and image input passes prepareInputs set up. */
  private encodeInputs(enc: GPUCommandEncoder, batch: readonly number[]): void {
    this.ops.gather(enc, batch);
    (this.resolved.augment ? this.ops.pointAugment : this.ops.evalPoints).encode(enc);
    this.ops.encodeViews(enc);
    this.ops.imageAugment.encode(enc);
  }

  /** One training step. A non-finite loss or gradient restores the last good checkpoint. */
  async trainStep(): Promise<StepResult> {
    const t0 = performance.now();
    const r = this.resolved;
    const B = r.batch;
    const epoch = Math.floor(this.step / this.stepsPerEpoch);
    const lr = cosineLr(r.lr, epoch, r.epochs);
    const batch = await this.prepareInputs(this.nextBatch());
    this.ops.adam.setStep(this.step + 1, lr);

    const enc = this.ctx.device.createCommandEncoder({ label: `step ${this.step + 1}` });
    this.encodeInputs(enc, batch);
    this.point.encodeForward(enc, 'train');
    if (r.losses.cmid) this.image.encodeForward(enc, 'train');
    this.ops.objective.encode(enc);
    this.point.encodeBackward(enc);
    if (r.losses.cmid) this.image.encodeBackward(enc);
    this.ops.adam.encode(enc);
    enc.copyBufferToBuffer(this.ops.loss, 0, this.ops.readback, 0, 8);
    enc.copyBufferToBuffer(this.ops.adam.flags, 0, this.ops.readback, 8, this.ops.flagsBytes);
    this.ctx.device.queue.submit([enc.finish()]);
    this.prefetchNext();
    const words = await readBufferBytes(this.ctx, this.ops.readback, 8 + this.ops.flagsBytes);
    const losses = new Float32Array(words, 0, 2);
    const flags = new Uint32Array(words, 8, this.ops.slots.length + 1);
    // num_batches_tracked: each encoder's training-mode forward has already counted this step.

    const lImid = r.losses.imid ? losses[0]! : Number.NaN;
    const lCmid = r.losses.cmid ? losses[1]! : Number.NaN;
    const bad = this.describeNonFinite(lImid, lCmid, flags);
    if (bad) return { ok: false, fault: await this.recover(bad) };

    this.step++;
    const stepMs = performance.now() - t0;
    this.stepTimeEma = this.stepTimeEma === 0 ? stepMs : 0.8 * this.stepTimeEma + 0.2 * stepMs;
    return {
      ok: true,
      metrics: {
        step: this.step,
        epoch: this.step / this.stepsPerEpoch,
        lImid,
        lCmid,
        loss: (r.losses.imid ? lImid : 0) + (r.losses.cmid ? lCmid : 0),
        lr,
        stepMs,
        samplesPerSec: (B * 1000) / stepMs,
        gpuBytes: this.gpuBytes,
        etaSec: (Math.max(0, this.totalSteps - this.step) * this.stepTimeEma) / 1000,
      },
    };
  }

  /**
   * Times each phase of one training step separately (a benchmark: each phase is its own
   * submission, so the sum exceeds a real step's time by the per-submit overhead). Advances
   * the model like a normal step.
   */
  async profileStep(timer: GpuTimer): Promise<Record<string, number>> {
    const r = this.resolved;
    const batch = await this.prepareInputs(this.nextBatch());
    this.ops.adam.setStep(
      this.step + 1,
      cosineLr(r.lr, Math.floor(this.step / this.stepsPerEpoch), r.epochs),
    );
    const phases: [string, (enc: GPUCommandEncoder) => void][] = [
      ['data (gather + augment)', (enc) => this.encodeInputs(enc, batch)],
      ['point forward', (enc) => this.point.encodeForward(enc, 'train')],
      ['image forward', (enc) => this.image.encodeForward(enc, 'train')],
      ['objective', (enc) => this.ops.objective.encode(enc)],
      ['point backward', (enc) => this.point.encodeBackward(enc)],
      ['image backward', (enc) => this.image.encodeBackward(enc)],
      ['adam', (enc) => this.ops.adam.encode(enc)],
    ];
    const out: Record<string, number> = {};
    for (const [name, encode] of phases) out[name] = (await timer.time(encode)).ms;
    this.step++;
    return out;
  }

  private describeNonFinite(lImid: number, lCmid: number, flags: Uint32Array): TrainFault | undefined {
    const r = this.resolved;
    const badGrads = this.ops.slots.filter((_, i) => flags[i] !== 0).map((s) => s.name);
    const badLoss = [
      r.losses.imid && !Number.isFinite(lImid) ? `L_imid = ${lImid}` : '',
      r.losses.cmid && !Number.isFinite(lCmid) ? `L_cmid = ${lCmid}` : '',
    ].filter(Boolean);
    if (!badGrads.length && !badLoss.length) return undefined;
    const parts = [...badLoss];
    if (badGrads.length) {
      parts.push(`non-finite gradient in ${badGrads.length} tensor(s), first ${badGrads[0]}`);
    }
    return {
      kind: 'non-finite',
      message: `step ${this.step + 1}: ${parts.join('; ')}`,
      tensor: badGrads[0] ?? badLoss[0],
    };
  }

  /**
   * Names the tensor holding a non-finite value, then restores the last good state. Trainable
   * tensors are searched first: running statistics turn NaN as a consequence of a bad weight.
   */
  private async recover(fault: TrainFault): Promise<TrainFault> {
    const found: string[] = [];
    for (const [prefix, store] of [
      ['point_model', this.point.params],
      ['img_model', this.image.params],
    ] as const) {
      const values = await store.download();
      const order = [...store.specs].sort((a, b) => Number(b.trainable) - Number(a.trainable));
      for (const spec of order) {
        const v = values.get(spec.name);
        if (v instanceof Float32Array && v.some((x) => !Number.isFinite(x)))
          found.push(`${prefix}.${spec.name}`);
      }
    }
    if (found.length) {
      fault.tensor = found[0];
      fault.message += `; parameter ${found[0]} holds non-finite values`;
    }
    if (this.lastGood) {
      await this.loadCheckpoint(this.lastGood);
      fault.restoredStep = this.step;
      fault.message += `; restored the checkpoint of step ${this.step}`;
    } else {
      this.reset();
      fault.restoredStep = 0;
      fault.message += '; no checkpoint yet, so training was reset to step 0';
    }
    return fault;
  }

  async snapshot(): Promise<CheckpointState> {
    const exp_avg = new Map<string, Float32Array>();
    const exp_avg_sq = new Map<string, Float32Array>();
    for (const slot of this.ops.slots) {
      exp_avg.set(slot.name, new Float32Array(await readBufferBytes(this.ctx, slot.m, slot.n * 4)));
      exp_avg_sq.set(slot.name, new Float32Array(await readBufferBytes(this.ctx, slot.v, slot.n * 4)));
    }
    return {
      // Every setting written out, so the checkpoint reproduces the run whatever the presets become.
      config: explicitConfig(this.config),
      step: this.step,
      rng: this.rng.getState(),
      point: await this.point.params.download(),
      image: await this.image.params.download(),
      exp_avg,
      exp_avg_sq,
    };
  }

  /** A checkpoint of the current state (with the curves' history, when given); also remembered as the last good one. */
  async saveCheckpoint(history?: MetricsHistory): Promise<Uint8Array> {
    const r = this.resolved;
    const state = { ...(await this.snapshot()), history };
    const bytes = encodeCheckpoint(state, this.point.params.specs, this.image.params.specs, {
      k: String(r.dgcnn.k),
      emb_dims: String(r.dgcnn.emb),
      encoder: r.encoder,
      points: String(r.points),
      dataset: JSON.stringify(datasetIdentity(this.data.summary)),
    });
    this.lastGood = bytes;
    return bytes;
  }

  /**
   * Restores weights, optimiser state, step and generator from a checkpoint of the same config;
   * returns the curves' history it carries (undefined for checkpoints written without one).
   */
  async loadCheckpoint(bytes: Uint8Array): Promise<MetricsHistory | undefined> {
    const s = decodeCheckpoint(bytes, modelSpecs);
    const mine = JSON.stringify(modelSpecs(this.config));
    if (JSON.stringify(modelSpecs(s.config)) !== mine) {
      throw new Error(
        `the checkpoint was trained with preset "${s.config.preset}" (other shapes); ` +
          `switch to that preset before loading it`,
      );
    }
    this.point.params.upload(s.point);
    this.image.params.upload(s.image);
    for (const slot of this.ops.slots) {
      const m = s.exp_avg.get(slot.name);
      const v = s.exp_avg_sq.get(slot.name);
      if (!m || !v || m.length !== slot.n || v.length !== slot.n) {
        throw new Error(`the checkpoint lacks optimiser state for ${slot.name}`);
      }
      this.ctx.device.queue.writeBuffer(slot.m, 0, m);
      this.ctx.device.queue.writeBuffer(slot.v, 0, v);
    }
    this.step = s.step;
    this.rng.setState(s.rng);
    this.lastGood = bytes;
    return s.history;
  }

  /**
   * Eval-mode projections of both branches for dataset objects (for the Embeddings and
   * Similarity panels): clouds centred and scaled to the unit sphere, each object's first view
   * without colour jitter. Leaves the training state untouched. The point encoder's batch holds
   * 2B clouds (a step's two copies of each), the image encoder's B views: one point forward and
   * two image forwards per 2B objects, so no point forward is spent on padding copies.
   */
  async embed(indices: readonly number[]): Promise<EmbeddingSet> {
    const P = this.point.projWidth;
    const point = new Float32Array(indices.length * P); // [n, P]
    const image = new Float32Array(indices.length * P); // [n, P]
    const B = this.resolved.batch;
    for (let at = 0; at < indices.length; at += 2 * B) {
      const chunk = indices.slice(at, at + 2 * B);
      // A streamed set reads the clouds, then each half's views, into the ring first.
      const clouds = await this.ops.stage([...chunk, ...Array(2 * B - chunk.length).fill(chunk[0]!)], []);
      const enc = this.ctx.device.createCommandEncoder({ label: 'embed points' });
      this.ops.gatherAll(enc, clouds.objects);
      this.ops.evalPoints.encode(enc);
      this.point.encodeForward(enc, 'eval');
      this.ctx.device.queue.submit([enc.finish()]);
      const pp = readBufferBytes(this.ctx, this.point.projections, chunk.length * P * 4);
      for (let half = 0; half < chunk.length; half += B) {
        const views = chunk.slice(half, half + B);
        const padded = [...views, ...Array(B - views.length).fill(views[0]!)];
        const staged = await this.ops.stage(
          [],
          padded.map((o) => o * this.data.viewsPerObject),
        );
        const ienc = this.ctx.device.createCommandEncoder({ label: 'embed images' });
        const src = this.ops.selectViews(staged.views);
        this.ops.evalImages.setParams(src.map(plainView));
        this.ops.encodeViews(ienc);
        this.ops.evalImages.encode(ienc);
        this.image.encodeForward(ienc, 'eval');
        this.ctx.device.queue.submit([ienc.finish()]);
        const ip = await readBufferBytes(this.ctx, this.image.projections, views.length * P * 4);
        image.set(new Float32Array(ip), (at + half) * P);
      }
      point.set(new Float32Array(await pp), at * P);
    }
    return {
      ids: indices.map((i) => this.data.ids[i]!),
      labels: indices.map((i) => this.data.labels[i]!),
      point,
      image,
      dim: P,
    };
  }

  /** Eval-mode 2·emb-d DGCNN features of dataset objects (for few-shot and classification). */
  async features(indices: readonly number[]): Promise<Float32Array> {
    const F = this.point.featureWidth;
    const out = new Float32Array(indices.length * F);
    const cap = 2 * this.resolved.batch;
    for (let at = 0; at < indices.length; at += cap) {
      const chunk = indices.slice(at, at + cap);
      const padded = [...chunk, ...Array(cap - chunk.length).fill(chunk[0]!)];
      const staged = await this.ops.stage(padded, []);
      const enc = this.ctx.device.createCommandEncoder({ label: 'features' });
      this.ops.gatherAll(enc, staged.objects);
      out.set(await readEvalFeatures(this.evalForward, enc, chunk.length), at * F);
    }
    return out;
  }

  /**
   * The same features of one cloud that is not in the dataset (a user's file), [N·3] with at
   * least the preset's N points: [F]. It goes through the same eval path as `features` (centred,
   * scaled to the unit sphere); eval-mode layers treat each cloud of the batch on its own, so
   * the other rows of the batch do not matter.
   */
  async cloudFeatures(cloud: Float32Array): Promise<Float32Array> {
    const N = this.resolved.points;
    if (cloud.length < N * 3) {
      throw new Error(`the cloud has ${Math.floor(cloud.length / 3)} points; the model needs ${N}`);
    }
    this.ctx.device.queue.writeBuffer(this.ops.raw, 0, cloud, 0, N * 3);
    const enc = this.ctx.device.createCommandEncoder({ label: 'cloud features' });
    return readEvalFeatures(this.evalForward, enc, 1);
  }

  /**
   * `cloudFeatures` for many clouds at once: [n, N0, 3] with N0 ≥ the preset's N points (each
   * cloud keeps its first N, as the paper's linear evaluation) → [n, F], 2·batch clouds a forward.
   */
  async cloudsFeatures(clouds: Float32Array, n: number): Promise<Float32Array> {
    return evalCloudsFeatures(this.evalForward, clouds, n, 'clouds features');
  }

  /** The eval forward of `features` and `cloudsFeatures`: 2·batch clouds from the step's `raw`. */
  private get evalForward(): EvalForward {
    const { ctx, point } = this;
    const { raw, evalPoints } = this.ops;
    return { ctx, raw, cap: 2 * this.resolved.batch, points: this.resolved.points, evalPoints, point };
  }

  dispose(): void {
    this.ops.destroy();
    this.point.destroy();
    this.image.destroy();
    this.arena.destroy();
  }
}

/** Everything a step records besides the two encoders. */
async function planStep(
  ctx: GpuContext,
  arena: BufferArena,
  r: ResolvedConfig,
  data: TrainingData,
  point: PointEncoder,
  image: ImageEncoder,
) {
  const B = r.batch;
  const N = r.points;
  const cloudBytes = N * 3 * 4;
  const raw = arena.alloc('step.clouds', 2 * B * cloudBytes, 'batch'); // [2B, N, 3] both copies of each cloud
  const pointAugment = await planPointAugment(
    ctx,
    { B: 2 * B, N, options: CROSSPOINT_AUGMENT },
    { points: raw, out: point.input },
  );
  // Evaluation input: centred and scaled to the unit sphere, nothing random.
  const evalPoints = await planPointAugment(
    ctx,
    { B: 2 * B, N, options: NO_AUGMENT },
    { points: raw, out: point.input },
  );
  // A streamed set: a ring of two batch-sized slots the batches are read into from the cache;
  // the step reads its clouds and views there exactly as it reads a resident set's.
  if (data.stream && data.stream.shape.points !== data.pointsPerCloud)
    throw new Error(
      `a streamed set of ${data.stream.shape.points} points a cloud, not ${data.pointsPerCloud}`,
    );
  const ring = data.stream ? new StreamRing(ctx, data.stream, B) : undefined;
  const cloudSource = ring?.clouds ?? data.clouds;
  if (!cloudSource) throw new Error('training data without clouds (neither clouds nor a stream)');
  // The views the augmentation reads: the f32 tensor itself, or (8-bit views, resident or in the
  // ring) the batch's views gathered and converted to f32 first, into a [B, 3, S, S] buffer read
  // in batch order.
  const S = r.imageSize;
  const store8 = ring?.views ?? data.views8;
  const staged = store8 ? arena.alloc('step.views', B * 3 * S * S * 4, 'batch') : undefined;
  const gatherViews =
    store8 && staged ? await planViewGatherU8(ctx, { batch: B }, { store: store8, out: staged }) : undefined;
  const sourceImages = staged ?? data.images;
  if (!sourceImages) throw new Error('training data without views (neither images nor views8)');
  const images = staged ? B : data.labels.length * data.viewsPerObject;
  const imageShape = { batch: B, size: S, images };
  const imageAugment = await planImageAugment(ctx, imageShape, { images: sourceImages, out: image.input });
  const evalImages = await planImageAugment(ctx, imageShape, { images: sourceImages, out: image.input });
  evalPoints.upload(evalPoints.draw(new Rng(0)));

  const loss = arena.alloc('step.loss', 8, 'objective'); // [2] L_imid, L_cmid
  const objective = await planObjective(
    ctx,
    { B, D: point.projWidth, temperature: r.temperature, terms: r.losses },
    {
      z: point.projections,
      zImg: image.projections,
      dz: point.dProjections!,
      dzImg: image.dProjections,
      loss,
    },
  );

  const slots: AdamSlot[] = [];
  const addSlots = (prefix: string, store: ParamStore) => {
    for (const t of store.trainable()) {
      slots.push({
        name: `${prefix}.${t.spec.name}`,
        n: t.n,
        param: t.value,
        grad: t.grad!,
        m: arena.alloc(`adam.${prefix}.${t.spec.name}.m`, t.n * 4, 'optimizer'),
        v: arena.alloc(`adam.${prefix}.${t.spec.name}.v`, t.n * 4, 'optimizer'),
      });
    }
  };
  addSlots('point_model', point.params);
  addSlots('img_model', image.params);
  // The learning rate reaches Adam per step (setStep), from the schedule.
  const adam = await planAdam(ctx, slots, { weightDecay: r.weightDecay });
  const flagsBytes = (slots.length + 1) * 4;
  const readback = arena.alloc('step.readback', 8 + flagsBytes, 'objective');

  const copyCloud = (enc: GPUCommandEncoder, obj: number, slot: number) =>
    enc.copyBufferToBuffer(cloudSource, obj * data.pointsPerCloud * 12, raw, slot * cloudBytes, cloudBytes);
  return {
    raw,
    slots,
    adam,
    objective,
    pointAugment,
    imageAugment,
    evalPoints,
    evalImages,
    loss,
    readback,
    flagsBytes,
    streaming: ring !== undefined,
    /** The ring's reads from the cache (undefined for a resident set). */
    streamReads: () => ring?.reads,
    /**
     * Makes these objects' clouds and these views (global indices) readable by the step and
     * returns the indices to read them at: themselves for a resident set, slot-local in the ring.
     */
    async stage(objects: readonly number[], views: readonly number[]): Promise<StagedBatch> {
      return ring ? ring.stage(objects, views) : { objects: [...objects], views: [...views] };
    },
    prefetch(objects: readonly number[], views: readonly number[]) {
      ring?.prefetch(objects, views);
    },
    /** Copies each batch cloud twice: rows 0..B−1 and B..2B−1 become the two augmented copies. */
    gather(enc: GPUCommandEncoder, batch: readonly number[]) {
      batch.forEach((obj, i) => {
        copyCloud(enc, obj, i);
        copyCloud(enc, obj, B + i);
      });
    },
    /** Points the augmentation at these views (global indices); returns the index each one reads. */
    selectViews(views: readonly number[]): number[] {
      if (!gatherViews) return [...views];
      gatherViews.setSources(views);
      return views.map((_, i) => i);
    },
    /** Records the gather of the selected views (nothing for an f32 tensor). */
    encodeViews(enc: GPUCommandEncoder) {
      gatherViews?.encode(enc);
    },
    /** Copies 2B distinct clouds (feature extraction uses the whole point batch). */
    gatherAll(enc: GPUCommandEncoder, objs: readonly number[]) {
      for (const [i, obj] of objs.entries()) copyCloud(enc, obj, i);
    },
    destroy() {
      for (const op of [pointAugment, evalPoints, imageAugment, evalImages, objective, adam]) op.destroy();
      gatherViews?.destroy();
      ring?.destroy();
    },
  };
}

export type { HostTensors };
