// Fine-tuning DGCNN_partseg as train_partseg.py does: each epoch the train split in a seeded
// shuffled order, batches augmented (augmentedBatch), the label-smoothed cross-entropy, the
// chosen optimiser with the cosine schedule stepped once per epoch; then the test split in eval
// mode. Per-epoch loss, point accuracy, instance and class mIoU (calculate_shape_IoU) on both.
import { BufferArena } from '../gpu/arena';
import { readU32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { augmentedBatch, NO_AUGMENT, type PartsegSet } from '../data/partseg-set';
import { readSafetensors, type SafeTensor, writeSafetensors } from '../io/safetensors';
import { selectModel } from '../io/state-dict';
import { createDgcnnPartSeg, type DgcnnPartSeg } from '../nn/dgcnn-partseg';
import { type PartSegConfig, partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import type { HostTensors } from '../nn/param-store';
import { partSegMetadata } from '../nn/partseg-weights';
import { toStateDict } from '../nn/weights';
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import { type PartsegScores, partsegScores } from './part-iou';
import { type PartsegLoss, planPartsegLoss } from './partseg-loss';
import {
  type PartsegOptimizer,
  type PartsegOptimizerName,
  partsegLr,
  planPartsegOptimizer,
} from './partseg-optimizer';

export interface PartsegRunConfig {
  model: PartSegConfig;
  /** Clouds per step (reference 32); the model is planned at min(batch, train clouds). */
  batch: number;
  /** Points per cloud (reference 2048). */
  points: number;
  /** Epochs of the cosine schedule (reference 200). */
  epochs: number;
  seed: number;
  optimizer: PartsegOptimizerName;
  /** Scale and shift augmentation (the point order of training batches is shuffled either way). */
  augment: boolean;
  /**
   * Momentum of every BatchNorm's running statistics (left out: PyTorch's 0.1, the reference's).
   * Eval mode (the test split) normalises with these; at 0.1 they keep 0.9^s of their initial
   * 0 / 1 after s steps, which decides runs of a few dozen steps.
   */
  bnMomentum?: number;
}

export interface SplitMetrics {
  loss: number;
  accuracy: number;
  instanceMiou: number;
  classMiou: number;
}

export interface PartsegEpochLog {
  epoch: number;
  /** Optimiser steps taken so far. */
  step: number;
  lr: number;
  train: SplitMetrics;
  test?: SplitMetrics;
  /** Wall seconds of the epoch's training (and of its evaluation). */
  trainSeconds: number;
  testSeconds?: number;
}

export interface PartsegEvaluation extends SplitMetrics {
  scores: PartsegScores;
  /** [S·N] predicted global part ids, in the set's order. */
  pred: Int32Array;
}

const summarise = (loss: number, s: PartsegScores): SplitMetrics => ({
  loss,
  accuracy: s.accuracy,
  instanceMiou: s.instanceMiou,
  classMiou: s.classMiou,
});

/** What an epoch's steps have done so far. */
interface EpochInProgress {
  lr: number;
  /** The train split's shuffled order: step s takes order[s·B, (s + 1)·B). */
  order: number[];
  steps: number;
  taken: number;
  lossSum: number;
  /** Seconds the steps took. */
  seconds: number;
  pred: Int32Array; // [steps·B·N] predicted parts of the training batches
  truth: Int32Array; // [steps·B·N]
  cats: Int32Array; // [steps·B]
}

export const PARTSEG_CHECKPOINT_FORMAT = 'crosspoint-playground/partseg-1';

export class PartsegTrainer {
  /** Epochs finished. */
  epoch = 0;
  /** Optimiser steps taken. */
  step = 0;
  readonly history: PartsegEpochLog[] = [];

  private constructor(
    private readonly ctx: GpuContext,
    readonly config: PartsegRunConfig,
    readonly model: DgcnnPartSeg,
    private readonly loss: PartsegLoss,
    private readonly opt: PartsegOptimizer,
    private readonly rng: Rng,
    private readonly train: PartsegSet,
    private readonly arena: BufferArena,
  ) {}

  /** Clouds per planned batch. */
  get batch(): number {
    return this.model.batch;
  }

  /** Steps per epoch: full batches only (a partial last batch is dropped; see README). */
  get stepsPerEpoch(): number {
    return Math.floor(this.train.S / this.batch);
  }

  static async create(
    ctx: GpuContext,
    config: PartsegRunConfig,
    train: PartsegSet,
    values: HostTensors,
  ): Promise<PartsegTrainer> {
    const B = Math.min(config.batch, train.S);
    if (B < 2) {
      throw new InputError(
        `${train.source}: part segmentation trains on batches of at least 2 clouds (BatchNorm needs ` +
          `2 values per channel), but there are ${train.S}`,
      );
    }
    if (train.N !== config.points) {
      throw new InputError(`${train.source}: clouds have ${train.N} points, the run ${config.points}`);
    }
    const arena = new BufferArena(ctx, '--batch or --points');
    const model = await createDgcnnPartSeg(ctx, arena, config.model, {
      batch: B,
      points: config.points,
      dropoutSeed: config.seed,
      bnMomentum: config.bnMomentum,
    });
    model.params.upload(values);
    const loss = await planPartsegLoss(
      ctx,
      arena,
      { B, N: config.points, parts: config.model.parts },
      { logits: model.logits, dLogits: model.dLogits! },
    );
    const opt = await planPartsegOptimizer(ctx, arena, model.params, config.optimizer);
    return new PartsegTrainer(ctx, config, model, loss, opt, new Rng(config.seed), train, arena);
  }

  /** Writes clouds [b, N, 3] (point-major) as the model's [b, 3, N] input and the category one-hot. */
  private upload(points: Float32Array, categories: Int32Array, rows: number): void {
    const B = this.batch;
    const N = this.config.points;
    const input = new Float32Array(B * 3 * N); // [B, 3, N]
    for (let b = 0; b < rows; b++)
      for (let i = 0; i < N; i++)
        for (let k = 0; k < 3; k++) input[(b * 3 + k) * N + i] = points[(b * N + i) * 3 + k]!;
    const oneHot = new Float32Array(B * this.config.model.categories); // [B, categories]
    for (let b = 0; b < rows; b++) oneHot[b * this.config.model.categories + categories[b]!] = 1;
    writeBuffer(this.ctx, this.model.input, input);
    writeBuffer(this.ctx, this.model.category, oneHot);
  }

  /** The epoch in progress (its batch order, learning rate and what its steps predicted), or null. */
  private current: EpochInProgress | null = null;

  /** True between an epoch's first step and its end (endEpoch). */
  get inEpoch(): boolean {
    return this.current !== null;
  }

  /** Steps of the epoch in progress still to take (stepsPerEpoch when none is in progress). */
  get stepsLeft(): number {
    return this.current ? this.current.steps - this.current.taken : this.stepsPerEpoch;
  }

  /**
   * One optimiser step of the current epoch (starting the epoch: its learning rate and shuffled
   * order, when none is in progress); returns the step's loss. One GPU submission and its readback,
   * so a caller can run each step as its own job (the page interleaves them with pretraining).
   */
  async trainStep(): Promise<number> {
    if (!this.current) this.current = this.startEpoch();
    const e = this.current;
    if (e.taken >= e.steps) throw new Error('trainStep: the epoch has no steps left; call endEpoch');
    const t0 = performance.now();
    const B = this.batch;
    const N = this.config.points;
    const s = e.taken;
    const idx = e.order.slice(s * B, (s + 1) * B);
    const batch = augmentedBatch(this.train, idx, this.rng, {
      scaleShift: this.config.augment,
      shuffle: true,
    });
    this.upload(batch.points, batch.categories, B);
    this.loss.setRows(B);
    writeBuffer(this.ctx, this.loss.labels, batch.parts);
    this.step++;
    this.model.setDropoutStep(this.step);
    this.opt.setStep(this.step, e.lr);
    await submitAndWait(this.ctx, (enc) => {
      this.model.encodeForward(enc, 'train');
      this.loss.encode(enc);
      this.model.encodeBackward(enc);
      this.opt.encode(enc);
    });
    const flags = await readU32(this.ctx, this.opt.flags, this.opt.names.length + 1);
    if (flags[this.opt.names.length]) {
      const bad = this.opt.names.filter((_, i) => flags[i]);
      throw new Error(
        `step ${this.step}: non-finite gradients in ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? '…' : ''}; ` +
          'no parameter was changed (lower the learning rate or check the data)',
      );
    }
    const r = await this.loss.read();
    e.lossSum += r.loss;
    e.pred.set(r.pred, s * B * N);
    e.truth.set(batch.parts, s * B * N);
    e.cats.set(batch.categories, s * B);
    e.taken++;
    e.seconds += (performance.now() - t0) / 1000;
    return r.loss;
  }

  private startEpoch(): EpochInProgress {
    const B = this.batch;
    const N = this.config.points;
    const steps = this.stepsPerEpoch;
    return {
      lr: partsegLr(this.config.optimizer, this.epoch, this.config.epochs),
      order: this.rng.shuffle([...Array(this.train.S).keys()]),
      steps,
      taken: 0,
      lossSum: 0,
      seconds: 0,
      pred: new Int32Array(steps * B * N),
      truth: new Int32Array(steps * B * N),
      cats: new Int32Array(steps * B),
    };
  }

  /**
   * Ends the epoch whose steps are all taken: counts it and returns its train metrics (under
   * training-mode forwards) and the seconds its steps took.
   */
  finishTrainEpoch(): SplitMetrics & { lr: number; seconds: number } {
    const e = this.current ?? this.startEpoch();
    if (e.taken < e.steps)
      throw new Error(`finishTrainEpoch: ${e.steps - e.taken} steps of the epoch are left`);
    this.current = null;
    this.epoch++;
    const N = this.config.points;
    const loss = e.steps ? e.lossSum / e.steps : Number.NaN;
    return { lr: e.lr, seconds: e.seconds, ...summarise(loss, partsegScores(e.pred, e.truth, e.cats, N)) };
  }

  /** One epoch over the train split; returns the train metrics (under training-mode forwards). */
  async trainEpoch(onStep?: (step: number, loss: number) => void): Promise<SplitMetrics & { lr: number }> {
    await this.remainingSteps(onStep);
    const { seconds: _, ...m } = this.finishTrainEpoch();
    return m;
  }

  /** The current epoch's steps still to take (all of a new epoch's). */
  private async remainingSteps(onStep?: (step: number, loss: number) => void): Promise<void> {
    if (!this.current) this.current = this.startEpoch();
    while (this.stepsLeft > 0) {
      const loss = await this.trainStep();
      onStep?.(this.step, loss);
    }
  }

  /** The model in eval mode over a whole split, in its order (last batch padded, padding ignored). */
  async evaluate(set: PartsegSet): Promise<PartsegEvaluation> {
    return evaluatePartseg(this.ctx, this.model, this.loss, set, (p, c, rows) => this.upload(p, c, rows));
  }

  /** A train epoch, then the test split: one log line's worth. */
  async runEpoch(test?: PartsegSet, onStep?: (step: number, loss: number) => void): Promise<PartsegEpochLog> {
    await this.remainingSteps(onStep);
    return this.endEpoch(test);
  }

  /**
   * After the epoch's last step (trainStep): counts the epoch, evaluates the test split and logs
   * both; trainSeconds is the time the epoch's steps took (not the waits between them).
   */
  async endEpoch(test?: PartsegSet): Promise<PartsegEpochLog> {
    const tr = this.finishTrainEpoch();
    const log: PartsegEpochLog = {
      epoch: this.epoch,
      step: this.step,
      lr: tr.lr,
      train: { loss: tr.loss, accuracy: tr.accuracy, instanceMiou: tr.instanceMiou, classMiou: tr.classMiou },
      trainSeconds: tr.seconds,
    };
    if (test) {
      const t1 = performance.now();
      const ev = await this.evaluate(test);
      log.test = summarise(ev.loss, ev.scores);
      log.testSeconds = (performance.now() - t1) / 1000;
    }
    this.history.push(log);
    return log;
  }

  /**
   * Model tensors (reference names), optimiser state, epoch, step, rng and history, as safetensors;
   * `extra` adds metadata entries (the page's own, which the command line ignores).
   */
  async checkpoint(extra: Record<string, string> = {}): Promise<Uint8Array> {
    const values = await this.model.params.download();
    const specs = partSegParamSpecs(this.config.model, 'segment');
    const tensors = new Map<string, SafeTensor>();
    for (const [name, t] of toStateDict(specs, values)) tensors.set(`point_model.${name}`, t);
    for (const [name, data] of await this.opt.download()) {
      tensors.set(`optimizer.${name}`, { dtype: 'F32', shape: [data.length], data });
    }
    return writeSafetensors(
      tensors,
      partSegMetadata(this.config.model, 'segment', {
        checkpoint: PARTSEG_CHECKPOINT_FORMAT,
        run: JSON.stringify(this.config),
        epoch: String(this.epoch),
        step: String(this.step),
        rng: JSON.stringify(this.rng.getState()),
        history: JSON.stringify(this.history),
        ...extra,
      }),
    );
  }

  /** Restores optimiser state, counters and history from a checkpoint this class wrote. */
  restore(bytes: Uint8Array): void {
    const file = readSafetensors(bytes, { copy: true });
    const md = file.metadata;
    const values: HostTensors = new Map();
    for (const [name, t] of selectModel(
      new Map([...file.tensors].filter(([k]) => k.startsWith('point_model.'))),
      'point_model',
    )) {
      values.set(name, t.data as Float32Array | BigInt64Array);
    }
    this.model.params.upload(values);
    const state = new Map<string, Float32Array>();
    for (const [name, t] of file.tensors) {
      if (name.startsWith('optimizer.')) state.set(name.slice('optimizer.'.length), t.data as Float32Array);
    }
    this.opt.upload(state);
    this.epoch = Number(md.epoch ?? 0);
    this.step = Number(md.step ?? 0);
    this.rng.setState(JSON.parse(md.rng ?? '[]') as number[]);
    this.history.splice(0, this.history.length, ...(JSON.parse(md.history ?? '[]') as PartsegEpochLog[]));
  }

  /** Every tensor, by reference name. */
  values(): Promise<HostTensors> {
    return this.model.params.download();
  }

  destroy(): void {
    this.loss.destroy();
    this.opt.destroy();
    this.model.destroy();
    this.arena.destroy();
  }
}

/**
 * A planned model (any batch) in eval mode over a split, batch by batch; the last batch is padded
 * by repeating its clouds and the loss counts only the real ones. `upload` writes a batch's
 * clouds and categories into the model's inputs.
 */
export async function evaluatePartseg(
  ctx: GpuContext,
  model: DgcnnPartSeg,
  loss: PartsegLoss,
  set: PartsegSet,
  upload: (points: Float32Array, categories: Int32Array, rows: number) => void,
): Promise<PartsegEvaluation> {
  const B = model.batch;
  const N = set.N;
  if (N !== model.points)
    throw new InputError(`${set.source}: clouds have ${N} points, the model ${model.points}`);
  const pred = new Int32Array(set.S * N);
  let lossSum = 0;
  for (let s0 = 0; s0 < set.S; s0 += B) {
    const rows = Math.min(B, set.S - s0);
    const idx = Array.from({ length: B }, (_, i) => s0 + Math.min(i, rows - 1));
    const batch = augmentedBatch(set, idx, new Rng(0), NO_AUGMENT);
    upload(batch.points, batch.categories, B);
    writeBuffer(ctx, loss.labels, batch.parts);
    loss.setRows(rows);
    await submitAndWait(ctx, (enc) => {
      model.encodeForward(enc, 'eval');
      loss.encode(enc);
    });
    const r = await loss.read();
    lossSum += r.loss * rows;
    pred.set(r.pred.subarray(0, rows * N), s0 * N);
  }
  loss.setRows(B);
  const scores = partsegScores(pred, set.parts, set.categories, N);
  return { ...summarise(lossSum / set.S, scores), scores, pred };
}

/** The run config and epoch a checkpoint was written with (metadata only). */
export function readPartsegCheckpointInfo(bytes: Uint8Array): { run?: PartsegRunConfig; epoch: number } {
  const md = readSafetensors(bytes).metadata;
  if (md.checkpoint !== PARTSEG_CHECKPOINT_FORMAT) return { epoch: 0 };
  return { run: JSON.parse(md.run ?? 'null') as PartsegRunConfig, epoch: Number(md.epoch ?? 0) };
}
