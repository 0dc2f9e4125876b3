/**
 * The Parts panel's engine inside the worker: two DGCNN_partseg fine-tuning runs on the generated
 * sample set's part labels, one starting from what the page's classification DGCNN can give it
 * (train/partseg-page.ts) and one from random init, epoch after epoch in turn; and a dropped
 * shape coloured by one run's predicted parts. GPU work goes through the worker's queue, one
 * fine-tuning step per job, so it never interleaves with a pretraining step and a running
 * pretraining is held for one step at a time, not an epoch. Each run is autosaved after each of its epochs as a
 * `crosspoint partseg --out` checkpoint (checkpoint-store.ts), restored after a reload, and can be
 * downloaded or replaced by such a file.
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
import { readSafetensors } from '../io/safetensors';
import { partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { initialiseParams } from '../nn/param-spec';
import type { HostTensors } from '../nn/param-store';
import { loadPartSegWeights } from '../nn/partseg-weights';
import { WeightsError } from '../nn/weights';
import {
  checkCategory,
  checkShapeParts,
  PARTS_PAGE_SIZES,
  type PartsPageConfig,
  partsConfigProblem,
  partsModelConfig,
  partsPageSizeOf,
  perPartIou,
  singlePartBaseline,
  transferFromClassifier,
} from '../train/partseg-page';
import { type PartsegEpochLog, PartsegTrainer, readPartsegCheckpointInfo } from '../train/partseg-trainer';
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import {
  deleteCheckpoint,
  getCheckpoint,
  partsCheckpointKey,
  putCheckpoint,
  type StoredCheckpoint,
} from './checkpoint-store';
import type { GpuQueue } from './gpu-queue';
import type { PartsArm, PartsAutosave, PartsEpoch, PartsPrediction, PartsState, Post } from './protocol';

export const PARTS_ARMS: readonly PartsArm[] = ['pretrained', 'random'];

/** Where the runs' autosaves live: IndexedDB in the page (checkpoint-store.ts), a map in tests. */
export interface PartsStore {
  get(arm: PartsArm): Promise<StoredCheckpoint | undefined>;
  put(arm: PartsArm, epoch: number, bytes: Uint8Array): Promise<void>;
  clear(): Promise<void>;
}

export const indexedDbPartsStore: PartsStore = {
  get: (arm) => getCheckpoint(partsCheckpointKey(arm)),
  put: (arm, epoch, bytes) =>
    putCheckpoint({ key: partsCheckpointKey(arm), step: epoch, savedAt: Date.now(), bytes }),
  clear: async () => {
    for (const arm of PARTS_ARMS) await deleteCheckpoint(partsCheckpointKey(arm));
  },
};

/** Metadata the page adds to a run's checkpoint (the command line ignores it). */
const PAGE_KEY = 'parts_page';
const TRANSFERRED_KEY = 'parts_transferred';
const ENCODER_STEP_KEY = 'parts_encoder_step';

/** A run's logged epoch as the page plots it. */
export function partsEpochOf(arm: PartsArm, log: PartsegEpochLog): PartsEpoch {
  return {
    arm,
    epoch: log.epoch,
    step: log.step,
    trainLoss: log.train.loss,
    testLoss: log.test?.loss ?? Number.NaN,
    instanceMiou: log.test?.instanceMiou ?? Number.NaN,
    classMiou: log.test?.classMiou ?? Number.NaN,
    accuracy: log.test?.accuracy ?? Number.NaN,
    trainSeconds: log.trainSeconds,
    testSeconds: log.testSeconds ?? 0,
  };
}

export class PartsHost {
  private config: PartsPageConfig | null = null;
  private trainers: Record<PartsArm, PartsegTrainer> | null = null;
  private trainSet: PartsegSet | null = null;
  private test: PartsegSet | null = null;
  private trainShapes = 0;
  private baselineMiou: number | null = null;
  private transferred: string[] = [];
  private encoderStep: number | null = null;
  private running = false;
  private error: string | null = null;
  private loop: Promise<void> | null = null;
  /** What the store holds (as last read or written). */
  private autosaved: PartsAutosave | null = null;
  private autosaveError: string | null = null;

  constructor(
    private readonly ctx: GpuContext,
    private readonly post: Post,
    private readonly gpu: GpuQueue,
    private readonly store: PartsStore = indexedDbPartsStore,
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
      baselineMiou: this.baselineMiou,
      testShapes: this.test?.S ?? 0,
      error: this.error,
      autosave: this.autosaved,
      autosaveError: this.autosaveError,
    };
  }

  /** Every logged epoch of both runs, in the order the page plots them. */
  epochs(): PartsEpoch[] {
    if (!this.trainers) return [];
    return PARTS_ARMS.flatMap((arm) => this.trainers![arm].history.map((l) => partsEpochOf(arm, l)));
  }

  /**
   * Builds both runs for `config` (dropping any earlier pair) on a fresh generated set. `encoder`:
   * the classification DGCNN's current weights and step, or null when the page has none.
   */
  async create(
    config: PartsPageConfig,
    encoder: { values: HostTensors; step: number } | null,
  ): Promise<void> {
    await this.build(config, encoder);
    // The autosave belonged to the runs just dropped.
    try {
      await this.store.clear();
    } catch {
      // No IndexedDB (private mode): nothing was saved either.
    }
    this.autosaved = null;
  }

  /** The two runs for `config` at epoch 0 (create without touching the autosave). */
  private async build(
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
      bnMomentum: config.bnMomentum,
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
    this.trainSet = train;
    this.test = test;
    this.error = null;
    this.trainShapes = train.S;
    this.baselineMiou = singlePartBaseline(train, test);
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
          // Each step is its own GPU job, so a pretraining run goes on between them (the queue
          // runs one waiting job per gap between its steps); the epoch's end (test split and
          // checkpoint) is one more.
          while (t[arm].stepsLeft > 0) await this.gpu.exclusive(() => t[arm].trainStep());
          const { log, bytes } = await this.gpu.exclusive(async () => {
            const log = await t[arm].endEpoch(this.test!);
            return { log, bytes: await this.checkpointOf(arm) };
          });
          await this.autosave(arm, log.epoch, bytes);
          this.post({ id: -1, type: 'parts-epoch', epoch: partsEpochOf(arm, log), state: this.state() });
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

  /** One run as a `crosspoint partseg --out` checkpoint, with the page's settings in its metadata. */
  private async checkpointOf(arm: PartsArm): Promise<Uint8Array> {
    return this.trainers![arm].checkpoint({
      [PAGE_KEY]: JSON.stringify(this.config),
      [TRANSFERRED_KEY]: JSON.stringify(arm === 'pretrained' ? this.transferred : []),
      [ENCODER_STEP_KEY]: arm === 'pretrained' && this.encoderStep !== null ? String(this.encoderStep) : '',
    });
  }

  /** Writes a run's autosave; a failure is reported in the state and training goes on. */
  private async autosave(arm: PartsArm, epoch: number, bytes: Uint8Array): Promise<void> {
    try {
      await this.store.put(arm, epoch, bytes);
      this.autosaveError = null;
      const epochs = { pretrained: 0, random: 0, ...this.autosaved?.epochs, [arm]: epoch };
      this.autosaved = { epochs, savedAt: Date.now(), config: this.config! };
    } catch (e) {
      this.autosaveError = `autosave failed (fine-tuning continues): ${(e as Error).message}`;
    }
  }

  /** Reads what the store holds (after a reload: the runs that can be restored). */
  async sync(): Promise<void> {
    try {
      const saved = await this.readStore();
      this.autosaved = saved && {
        epochs: { pretrained: saved.pretrained?.step ?? 0, random: saved.random?.step ?? 0 },
        savedAt: Math.max(saved.pretrained?.savedAt ?? 0, saved.random?.savedAt ?? 0),
        config: saved.config,
      };
    } catch {
      this.autosaved = null;
    }
  }

  private async readStore(): Promise<{
    pretrained?: StoredCheckpoint;
    random?: StoredCheckpoint;
    config: PartsPageConfig;
    transferred: string[];
    encoderStep: number | null;
  } | null> {
    const pretrained = await this.store.get('pretrained');
    const random = await this.store.get('random');
    const any = pretrained ?? random;
    if (!any) return null;
    const md = readSafetensors(any.bytes).metadata;
    const pmd = pretrained ? readSafetensors(pretrained.bytes).metadata : {};
    const saved = JSON.parse(md[PAGE_KEY] ?? 'null') as PartsPageConfig | null;
    if (!saved) return null;
    // Autosaves from before the BN momentum setting ran at PyTorch's 0.1.
    const config: PartsPageConfig = { ...saved, bnMomentum: saved.bnMomentum ?? 0.1 };
    return {
      pretrained,
      random,
      config,
      transferred: JSON.parse(pmd[TRANSFERRED_KEY] ?? '[]') as string[],
      encoderStep: pmd[ENCODER_STEP_KEY] ? Number(pmd[ENCODER_STEP_KEY]) : null,
    };
  }

  /** Brings back the autosaved runs (paused), with their curves. */
  async restore(): Promise<void> {
    const saved = await this.readStore();
    if (!saved) throw new InputError('No autosaved Parts runs in this browser: press Fine-tune to start.');
    await this.pause();
    await this.build(saved.config, null);
    this.transferred = saved.transferred;
    this.encoderStep = saved.encoderStep;
    for (const arm of PARTS_ARMS) {
      const c = saved[arm];
      if (c) await this.replaceRun(arm, `the autosave of the ${arm} run`, c.bytes);
    }
    await this.sync();
  }

  /**
   * Replaces run `arm` by a `crosspoint partseg --out` checkpoint (or a downloaded one). When its
   * sizes differ from the runs', both are rebuilt at its sizes first: the other run starts over.
   * Returns what happened, in a sentence.
   */
  async load(
    arm: PartsArm,
    name: string,
    bytes: Uint8Array,
    encoder: { values: HostTensors; step: number } | null,
  ): Promise<string> {
    const run = readRun(name, bytes);
    const model = partsPageSizeOf(run.model);
    if (!model)
      throw new InputError(
        `${name}: its model widths (EdgeConv ${run.model.edge}, embedding ${run.model.emb}) are none of the ` +
          "Parts panel's sizes; fine-tune it further with crosspoint partseg --resume. Nothing was changed.",
      );
    const config: PartsPageConfig = {
      model,
      points: run.points,
      k: run.model.k,
      batch: run.batch,
      perClass: this.config?.perClass ?? PARTS_PAGE_SIZES['first-look'].perClass,
      epochs: run.epochs,
      seed: run.seed,
      bnMomentum: run.bnMomentum ?? 0.1,
    };
    const problem = partsConfigProblem(config);
    if (problem) throw new InputError(`${name}: ${problem}`);
    await this.pause();
    const same =
      this.trainers &&
      this.config &&
      (Object.keys(config) as (keyof PartsPageConfig)[]).every((key) => this.config![key] === config[key]);
    if (!same) await this.build(config, encoder);
    await this.replaceRun(arm, name, bytes);
    // The loaded state is what a reload brings back.
    for (const a of PARTS_ARMS) {
      const b = await this.gpu.exclusive(() => this.checkpointOf(a));
      await this.autosave(a, this.trainers![a].epoch, b);
    }
    const at = `epoch ${this.trainers![arm].epoch} of ${run.epochs}`;
    return same
      ? `Loaded ${name} (${at}) as the ${arm} run.`
      : `Loaded ${name} (${at}) as the ${arm} run; the runs were rebuilt at its sizes ` +
          `(${model} widths, ${run.points} points, k ${run.model.k}, batch ${run.batch}, seed ${run.seed}), ` +
          'so the other run starts over.';
  }

  /** Swaps run `arm` for the trainer a checkpoint describes (weights, optimiser, epoch, curves). */
  private async replaceRun(arm: PartsArm, name: string, bytes: Uint8Array): Promise<void> {
    const run = readRun(name, bytes);
    if (run.points !== this.config!.points)
      throw new InputError(`${name}: clouds of ${run.points} points, the runs ${this.config!.points}`);
    let values: HostTensors;
    try {
      values = loadPartSegWeights(bytes, {
        mode: 'segment',
        expect: run.model,
        strict: true,
        seed: run.seed,
      }).values;
    } catch (e) {
      if (e instanceof WeightsError) throw new InputError(`${name}: ${e.message}`);
      throw e;
    }
    const trainer = await this.gpu.exclusive(async () => {
      const t = await PartsegTrainer.create(this.ctx, run, this.trainSet!, values);
      try {
        t.restore(bytes);
      } catch (e) {
        t.destroy();
        throw new InputError(`${name}: the optimiser state does not fit (${(e as Error).message})`);
      }
      this.trainers![arm].destroy();
      return t;
    });
    this.trainers![arm] = trainer;
  }

  /** Run `arm` as a `crosspoint partseg --out` checkpoint, for a download. */
  async download(arm: PartsArm): Promise<{ bytes: Uint8Array; epoch: number }> {
    if (!this.trainers) throw new InputError('No Parts runs yet: press Fine-tune first.');
    const bytes = await this.gpu.exclusive(() => this.checkpointOf(arm));
    return { bytes, epoch: this.trainers[arm].epoch };
  }

  /** Deletes the autosave (the runs in memory stay). */
  async discardAutosave(): Promise<void> {
    await this.store.clear();
    this.autosaved = null;
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
    notes.push(...(shape.warnings ?? []));
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

/** The run settings of a partseg checkpoint, or an InputError saying why the file is not one. */
function readRun(name: string, bytes: Uint8Array) {
  let info: ReturnType<typeof readPartsegCheckpointInfo>;
  try {
    info = readPartsegCheckpointInfo(bytes);
  } catch (e) {
    throw new InputError(
      `${name}: not a readable checkpoint (${(e as Error).message}). Nothing was changed.`,
    );
  }
  if (!info.run)
    throw new InputError(
      `${name}: not a part-segmentation checkpoint (no run settings in it): load one written by ` +
        "crosspoint partseg --out or the Parts panel's Download. Nothing was changed.",
    );
  return info.run;
}

/**
 * xyz and, when the file has them, part labels (a .txt's last column with the line each came
 * from, a .ply's per-vertex label property: ply.ts PLY_PART_LABEL_NAMES) and the reader's notes.
 */
async function readPartsShape(
  name: string,
  bytes: Uint8Array,
): Promise<{ points: Float32Array; parts?: Int32Array; lines?: Int32Array; warnings?: string[] }> {
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
    return { points: loaded.points, parts: loaded.pointLabels, warnings: loaded.warnings };
  } catch (e) {
    throw e instanceof InputError ? e : new InputError((e as Error).message);
  }
}
