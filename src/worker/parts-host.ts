/**
 * The Parts panel's engine inside the worker: two DGCNN_partseg fine-tuning runs on the generated
 * sample set's part labels, one starting from what the page's classification DGCNN can give it
 * (train/partseg-page.ts) and one from random init, epoch after epoch in turn; and a dropped
 * shape coloured by one run's predicted parts. GPU work goes through the worker's queue, so it
 * never interleaves with a pretraining step.
 */
import { normaliseCloud } from '../data/geometry';
import { isSet, loadAny } from '../data/loaders/index';
import { resample } from '../data/loaders/resample';
import { readColumns } from '../data/loaders/text-columns';
import { type PartsegSet, partsegFromSample } from '../data/partseg-set';
import { generateSampleSet } from '../data/sample-set';
import { categoryParts, SHAPENETPART_CATEGORY_COUNT } from '../data/shapenetpart-parts';
import { readF32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { initialiseParams } from '../nn/param-spec';
import type { HostTensors } from '../nn/param-store';
import {
  checkCategory,
  checkShapeParts,
  type PartsPageConfig,
  partsConfigProblem,
  partsModelConfig,
  perPartIou,
  transferFromClassifier,
} from '../train/partseg-page';
import { PartsegTrainer } from '../train/partseg-trainer';
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import type { GpuQueue } from './gpu-queue';
import type { PartsArm, PartsEpoch, PartsPrediction, PartsState, Post } from './protocol';

export const PARTS_ARMS: readonly PartsArm[] = ['pretrained', 'random'];

export class PartsHost {
  private config: PartsPageConfig | null = null;
  private trainers: Record<PartsArm, PartsegTrainer> | null = null;
  private test: PartsegSet | null = null;
  private trainShapes = 0;
  private transferred: string[] = [];
  private encoderStep: number | null = null;
  private running = false;
  private error: string | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly post: Post,
    private readonly gpu: GpuQueue,
  ) {}

  state(): PartsState {
    const t = this.trainers;
    return {
      exists: !!t,
      running: this.running,
      config: this.config,
      epochs: { pretrained: t?.pretrained.epoch ?? 0, random: t?.random.epoch ?? 0 },
      transferred: this.transferred,
      encoderStep: this.encoderStep,
      trainShapes: this.trainShapes,
      testShapes: this.test?.S ?? 0,
      error: this.error,
    };
  }

  /**
   * Builds both runs for `config` (dropping any earlier pair) on a fresh generated set. `encoder`:
   * the classification DGCNN's current weights and step, or null when the page has none.
   */
  async create(
    config: PartsPageConfig,
    encoder: { values: HostTensors; step: number } | null,
  ): Promise<void> {
    const problem = partsConfigProblem(config);
    if (problem) throw new InputError(problem);
    await this.pause();
    const set = generateSampleSet({
      perClass: config.perClass,
      points: config.points,
      views: 1,
      imageSize: 8,
      seed: config.seed,
    });
    const train = partsegFromSample(set, 'train');
    const test = partsegFromSample(set, 'test');
    const model = partsModelConfig(config);
    const init = initialiseParams(partSegParamSpecs(model), config.seed);
    const { values, transferred } = encoder
      ? transferFromClassifier(model, init, encoder.values)
      : { values: init, transferred: [] };
    const run = {
      model,
      batch: config.batch,
      points: config.points,
      epochs: config.epochs,
      seed: config.seed,
      optimizer: 'sgd' as const,
      augment: true,
    };
    const trainers = await this.gpu.exclusive(async () => {
      this.destroy();
      return {
        pretrained: await PartsegTrainer.create(this.ctx, run, train, values),
        random: await PartsegTrainer.create(this.ctx, run, train, init),
      };
    });
    this.trainers = trainers;
    this.config = config;
    this.test = test;
    this.trainShapes = train.S;
    this.transferred = transferred;
    this.encoderStep = encoder ? encoder.step : null;
  }

  /** Trains both runs an epoch each in turn until paused or the schedule ends. */
  play(): void {
    if (!this.trainers || this.running) return;
    this.running = true;
    this.error = null;
    this.loop = this.train().finally(() => {
      this.running = false;
      this.post({ id: -1, type: 'parts-state', state: this.state() });
    });
  }

  private async train(): Promise<void> {
    const t = this.trainers!;
    const epochs = this.config!.epochs;
    try {
      while (this.running && PARTS_ARMS.some((a) => t[a].epoch < epochs)) {
        for (const arm of PARTS_ARMS) {
          if (!this.running || t[arm].epoch >= epochs) continue;
          const log = await this.gpu.exclusive(() => t[arm].runEpoch(this.test!));
          const epoch: PartsEpoch = {
            arm,
            epoch: log.epoch,
            step: log.step,
            trainLoss: log.train.loss,
            testLoss: log.test!.loss,
            instanceMiou: log.test!.instanceMiou,
            classMiou: log.test!.classMiou,
            accuracy: log.test!.accuracy,
            trainSeconds: log.trainSeconds,
            testSeconds: log.testSeconds ?? 0,
          };
          this.post({ id: -1, type: 'parts-epoch', epoch, state: this.state() });
          // Lets pause and prediction requests in between.
          await new Promise((r) => setTimeout(r, 0));
        }
      }
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Stops after the epoch in flight. */
  async pause(): Promise<void> {
    this.running = false;
    await this.loop;
    this.loop = null;
  }

  /**
   * A user's shape (.txt `x y z [nx ny nz] [part]` or any cloud/mesh format) as `category`,
   * resampled to the runs' points, centred on the unit sphere, coloured by `arm`'s prediction.
   */
  async predict(name: string, bytes: Uint8Array, category: number, arm: PartsArm): Promise<PartsPrediction> {
    checkCategory(category);
    if (!this.trainers || !this.config) throw new InputError('No Parts model yet: press Fine-tune first.');
    const { points: N, k } = this.config;
    const notes: string[] = [];
    const shape = await readPartsShape(name, bytes);
    const n0 = shape.points.length / 3;
    if (n0 < k)
      throw new InputError(
        `${name}: holds ${n0} points, fewer than k = ${k} neighbours per point; bring a denser cloud or lower k.`,
      );
    if (shape.parts) checkShapeParts(name, category, shape.parts, shape.lines);
    else notes.push('The file has no part labels: prediction only (no ground truth, errors or IoU).');
    const r = resample({ points: shape.points, pointLabels: shape.parts }, N, new Rng(1));
    notes.push(r.note, 'centred and scaled to the unit sphere');
    const points = normaliseCloud(r.points, 'y');
    const trainer = this.trainers[arm];
    const model = trainer.model;
    const C = partsModelConfig(this.config).parts;
    const logits = await this.gpu.exclusive(async () => {
      const B = model.batch;
      const input = new Float32Array(B * 3 * N); // [B, 3, N], the one shape in every row
      const oneHot = new Float32Array(B * SHAPENETPART_CATEGORY_COUNT); // [B, 16]
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < N; i++)
          for (let d = 0; d < 3; d++) input[(b * 3 + d) * N + i] = points[i * 3 + d]!;
        oneHot[b * SHAPENETPART_CATEGORY_COUNT + category] = 1;
      }
      writeBuffer(this.ctx, model.input, input);
      writeBuffer(this.ctx, model.category, oneHot);
      await submitAndWait(this.ctx, (enc) => model.encodeForward(enc, 'eval'));
      return readF32(this.ctx, model.logits, C * N); // [parts, N] of row 0
    });
    // The most likely part among the category's, and its softmax probability among them.
    const { first, count } = categoryParts(category);
    const pred = new Int32Array(N);
    const prob = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      let best = first;
      for (let p = first; p < first + count; p++) if (logits[p * N + i]! > logits[best * N + i]!) best = p;
      let z = 0;
      for (let p = first; p < first + count; p++) z += Math.exp(logits[p * N + i]! - logits[best * N + i]!);
      pred[i] = best;
      prob[i] = 1 / z;
    }
    const truth = r.pointLabels ?? null;
    const perPart = truth ? perPartIou(category, pred, truth) : null;
    return {
      file: name,
      category,
      arm,
      epoch: trainer.epoch,
      points,
      pred,
      prob,
      truth,
      perPart,
      shapeIou: perPart ? perPart.reduce((s, p) => s + p.iou, 0) / perPart.length : null,
      notes,
    };
  }

  destroy(): void {
    if (!this.trainers) return;
    for (const a of PARTS_ARMS) this.trainers[a].destroy();
    this.trainers = null;
  }
}

/** xyz and, when the file has them, part labels with the line each came from. */
async function readPartsShape(
  name: string,
  bytes: Uint8Array,
): Promise<{ points: Float32Array; parts?: Int32Array; lines?: Int32Array }> {
  try {
    if (/\.txt$/i.test(name)) {
      const c = readColumns(name, bytes, [3, 4, 6, 7]);
      const points = new Float32Array(c.rows * 3);
      for (let r = 0; r < c.rows; r++)
        for (let d = 0; d < 3; d++) points[r * 3 + d] = c.values[r * c.cols + d]!;
      for (let i = 0; i < points.length; i++)
        if (!Number.isFinite(points[i]))
          throw new InputError(
            `${name}: line ${c.lines[Math.floor(i / 3)]} has a coordinate that is not a number`,
          );
      if (c.cols === 3 || c.cols === 6) return { points };
      const parts = new Int32Array(c.rows);
      for (let r = 0; r < c.rows; r++) {
        const v = c.values[r * c.cols + c.cols - 1]!;
        if (!Number.isInteger(v))
          throw new InputError(`${name}: line ${c.lines[r]} has part label ${v}, not a whole number`);
        parts[r] = v;
      }
      return { points, parts, lines: c.lines };
    }
    const loaded = await loadAny(name, bytes);
    if (isSet(loaded)) throw new InputError(`${name}: a set of clouds; drop one shape (.txt or .ply)`);
    return { points: loaded.points, parts: loaded.pointLabels };
  } catch (e) {
    throw e instanceof InputError ? e : new InputError((e as Error).message);
  }
}
