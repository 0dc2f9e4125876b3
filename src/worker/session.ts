/**
 * The engine's state inside the worker (dataset, trainer) and the handlers of the page's
 * requests. No DOM. Evaluation work (embeddings, features, checkpoints) never interleaves with a
 * training step: while training runs it is queued and done between two steps (the trainer's
 * breathe hook); while paused it goes through one queue with single steps. The trainer yields to
 * the event loop between steps, so Pause and other requests are answered quickly.
 */
import { UMAP } from 'umap-js';
import { fewShotEval } from '../eval/fewshot';
import { fitClassifier } from '../eval/classifier';
import { pca2 } from '../eval/pca';
import { cosineSimilarityMatrix, retrievalAccuracy } from '../eval/similarity';
import { applyScaler, fitScaler } from '../eval/features';
import type { GpuContext } from '../gpu/context';
import type { StepMetrics, TrainConfig } from '../train/trainer-api';
import { Rng } from '../util/random';
import { checkpointKey, getCheckpoint, putCheckpoint } from './checkpoint-store';
import { normaliseCloud, pickMixedBatch, topK } from './geometry';
import { type HostDataset, pieces, type TrainerHooks, type TrainerLike } from './pieces';
import type {
  Capabilities,
  ClassifyReply,
  EngineEvent,
  EngineRequest,
  FewShotParams,
  Projection,
  TrainerState,
} from './protocol';

type Post = (ev: EngineEvent, transfer?: Transferable[]) => void;
type ReqOf<T extends EngineRequest['type']> = Extract<EngineRequest, { type: T }>;

/** Objects in the similarity matrix's batch. */
const SIM_BATCH = 12;

export function capabilities(): Capabilities {
  return {
    dataset: !!pieces.generateDataset,
    files: !!pieces.readShape,
    trainer: !!pieces.createTrainer,
  };
}

class NotAvailable extends Error {
  constructor(
    readonly piece: keyof Capabilities,
    message: string,
  ) {
    super(message);
  }
}

/** Errors about the user's file, as opposed to engine failures. */
class FileError extends Error {}

export class Session {
  private dataset: HostDataset | undefined;
  private trainer: TrainerLike | undefined;
  private config: TrainConfig | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Evaluation waiting for the gap between two steps. */
  private betweenSteps: (() => Promise<void>)[] = [];
  /** Features of every sample-set object at a given step, for Classify. */
  private featureCache:
    | { step: number; trainer: TrainerLike; features: Float32Array; dim: number }
    | undefined;
  /** Features of a randomly initialised encoder, for the few-shot baseline (config + dataset key). */
  private randomFeatures: { key: string; features: Float32Array; dim: number } | undefined;

  constructor(
    private readonly ctx: GpuContext,
    private readonly post: Post,
  ) {}

  /** Runs `fn` after every trainer operation queued before it. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Runs `fn` when no step is in flight: between two steps while training, else in the queue. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.trainer?.running) return this.serial(fn);
    return new Promise<T>((resolve, reject) => {
      this.betweenSteps.push(() => fn().then(resolve, reject));
    });
  }

  private async drainBetweenSteps(): Promise<void> {
    for (let job = this.betweenSteps.shift(); job; job = this.betweenSteps.shift()) await job();
  }

  private hooks(config: TrainConfig): TrainerHooks {
    return {
      onMetrics: (m: StepMetrics) => this.post({ id: -1, type: 'metrics', metrics: m }),
      onFault: (fault) => this.post({ id: -1, type: 'fault', fault }),
      onState: ({ running }) => {
        // Evaluation queued for a gap that will not come now goes through the queue instead.
        if (!running) void this.serial(() => this.drainBetweenSteps());
        void this.state().then((state) => this.post({ id: -1, type: 'trainer-state', state }));
      },
      persist: async (bytes, step) => {
        try {
          await putCheckpoint({
            key: checkpointKey('autosave', config.preset, config.seed),
            step,
            savedAt: Date.now(),
            bytes,
          });
        } catch (e) {
          this.post({
            id: -1,
            type: 'fault',
            fault: {
              kind: 'error',
              message: `autosave failed (training continues): ${(e as Error).message}`,
            },
          });
        }
      },
      breathe: async () => {
        await new Promise((r) => setTimeout(r, 0));
        await this.drainBetweenSteps();
      },
    };
  }

  async handle(req: EngineRequest): Promise<void> {
    try {
      await this.dispatch(req);
    } catch (e) {
      if (e instanceof NotAvailable) {
        this.post({ id: req.id, type: 'not-available', piece: e.piece, message: e.message });
      } else if (e instanceof FileError) {
        this.post({ id: req.id, type: 'file-error', message: e.message });
      } else {
        const err = e instanceof Error ? e : new Error(String(e));
        this.post({ id: req.id, type: 'error', kind: err.name, message: err.message });
      }
    }
  }

  private async dispatch(req: EngineRequest): Promise<void> {
    switch (req.type) {
      case 'generate':
        return this.generate(req);
      case 'object':
        return this.object(req);
      case 'trainer-state':
        this.post({ id: req.id, type: 'trainer', state: await this.state(req.config) });
        return;
      case 'run': {
        const t = await this.ensureTrainer(req.config, req.id);
        if (!t.running) await this.serial(async () => t.run());
        this.post({ id: req.id, type: 'trainer', state: await this.state() });
        return;
      }
      case 'pause':
        // Stops after the step in flight and autosaves.
        await this.trainer?.pause();
        this.post({ id: req.id, type: 'trainer', state: await this.state() });
        return;
      case 'step': {
        const t = await this.ensureTrainer(req.config, req.id);
        if (t.running) throw new Error('training is running: pause it before stepping');
        await this.serial(() => t.stepOnce());
        this.post({ id: req.id, type: 'trainer', state: await this.state() });
        return;
      }
      case 'reset': {
        const t = this.trainer;
        if (t?.running) await t.pause();
        await this.serial(async () => {
          t?.dispose();
          this.trainer = undefined;
          this.featureCache = undefined;
        });
        this.post({ id: req.id, type: 'trainer', state: await this.state() });
        return;
      }
      case 'embed':
        return this.embed(req.id, req.projection, req.limit);
      case 'fewshot':
        return this.fewshot(req.id, req.params);
      case 'classify':
        return this.classify(req);
      case 'checkpoint-save': {
        const t = this.requireTrainer();
        const { bytes, step } = await this.exclusive(async () => ({
          bytes: await t.saveCheckpoint(),
          step: t.stepCount,
        }));
        if (this.config) {
          await putCheckpoint({
            key: checkpointKey('saved', this.config.preset, this.config.seed),
            step,
            savedAt: Date.now(),
            bytes: bytes.slice(),
          });
        }
        this.post({ id: req.id, type: 'checkpoint', step, bytes }, [bytes.buffer]);
        return;
      }
      case 'checkpoint-load':
        await this.loadCheckpoint(req.config, req.bytes, req.id, req.name);
        this.post({ id: req.id, type: 'trainer', state: await this.state() });
        return;
      case 'checkpoint-restore': {
        const c = await getCheckpoint(checkpointKey('autosave', req.config.preset, req.config.seed));
        if (!c) throw new Error(`no autosave for preset ${req.config.preset}, seed ${req.config.seed}`);
        await this.loadCheckpoint(req.config, c.bytes, req.id, 'the autosave');
        this.post({ id: req.id, type: 'trainer', state: await this.state() });
        return;
      }
      case 'init':
      case 'selftest':
        throw new Error(`${req.type} is handled by the worker shell`);
    }
  }

  private async state(config: TrainConfig | null = this.config): Promise<TrainerState> {
    let autosave: TrainerState['autosave'] = null;
    if (config) {
      try {
        const c = await getCheckpoint(checkpointKey('autosave', config.preset, config.seed));
        if (c) autosave = { step: c.step, savedAt: c.savedAt, bytes: c.bytes.byteLength };
      } catch {
        // No IndexedDB (private mode): no autosave to offer.
      }
    }
    return {
      exists: !!this.trainer,
      running: this.trainer?.running ?? false,
      step: this.trainer?.stepCount ?? 0,
      config: this.trainer ? this.config : null,
      autosave,
    };
  }

  private async generate(req: ReqOf<'generate'>): Promise<void> {
    const gen = pieces.generateDataset;
    if (!gen) throw new NotAvailable('dataset', 'The sample-set generator is not in this build yet.');
    if (this.trainer) throw new Error('Reset training before generating a new sample set.');
    const t0 = performance.now();
    const ds = await gen(this.ctx, req.params, (done, total, task) =>
      this.post({ id: req.id, type: 'progress', task, done, total }),
    );
    this.dataset?.dispose();
    this.dataset = ds;
    this.featureCache = undefined;
    this.randomFeatures = undefined;
    const info = { ...ds.info, seconds: (performance.now() - t0) / 1000 };
    // Thumbnails are copied (the dataset keeps its own), then transferred.
    const thumbs = info.thumbs.map((t) => ({ size: t.size, rgba: t.rgba.slice() }));
    this.post(
      { id: req.id, type: 'dataset', info: { ...info, thumbs } },
      thumbs.map((t) => t.rgba.buffer),
    );
  }

  private async object(req: ReqOf<'object'>): Promise<void> {
    const ds = this.requireDataset();
    const o = ds.info.objects[req.index];
    if (!o) throw new Error(`no object ${req.index} (the set has ${ds.info.objects.length})`);
    const points = ds.points(req.index).slice();
    const views = (await ds.views(req.index)).map((v) => ({ size: v.size, rgba: v.rgba.slice() }));
    this.post(
      {
        id: req.id,
        type: 'object',
        detail: {
          index: req.index,
          ...o,
          className: ds.info.summary.classes[o.label] ?? String(o.label),
          points,
          views,
        },
      },
      [points.buffer, ...views.map((v) => v.rgba.buffer)],
    );
  }

  private requireDataset(): HostDataset {
    if (!pieces.generateDataset)
      throw new NotAvailable('dataset', 'The sample-set generator is not in this build yet.');
    if (!this.dataset) throw new Error('No dataset yet: generate the sample set in the Data panel first.');
    return this.dataset;
  }

  private requireTrainer(): TrainerLike {
    if (!pieces.createTrainer) throw new NotAvailable('trainer', 'The trainer is not in this build yet.');
    if (!this.trainer) throw new Error('No model yet: press Train or Step first.');
    return this.trainer;
  }

  private async ensureTrainer(config: TrainConfig, id: number): Promise<TrainerLike> {
    const create = pieces.createTrainer;
    if (!create) throw new NotAvailable('trainer', 'The trainer is not in this build yet.');
    if (this.trainer) return this.trainer;
    const ds = this.requireDataset();
    this.post({ id, type: 'progress', task: 'Building the model', done: 0, total: 1 });
    const t = await this.serial(() => create(this.ctx, config, ds, this.hooks(config)));
    this.trainer = t;
    this.config = config;
    this.post({ id, type: 'progress', task: 'Building the model', done: 1, total: 1 });
    return t;
  }

  private async loadCheckpoint(
    config: TrainConfig,
    bytes: Uint8Array,
    id: number,
    name: string,
  ): Promise<void> {
    if (this.trainer?.running) throw new Error('Pause training before loading a checkpoint.');
    const t = await this.ensureTrainer(config, id);
    await this.serial(async () => {
      try {
        await t.loadCheckpoint(bytes);
      } catch (e) {
        throw new FileError(`${name} is not a checkpoint this model can load: ${(e as Error).message}`);
      }
      this.featureCache = undefined;
    });
  }

  private async embed(id: number, projection: Projection, limit: number): Promise<void> {
    const ds = this.requireDataset();
    const t = this.requireTrainer();
    const n = Math.min(limit, ds.info.objects.length);
    // An even spread over the set (it is ordered class by class).
    const objects = Array.from({ length: n }, (_, i) => Math.floor((i * ds.info.objects.length) / n));
    const { set, step } = await this.exclusive(async () => ({
      set: await t.embed(objects),
      step: t.stepCount,
    }));
    this.post({
      id,
      type: 'progress',
      task: `Projecting to 2-D (${projection.toUpperCase()})`,
      done: 0,
      total: 2,
    });
    const project = (x: Float32Array) => (projection === 'umap' ? umap2(x, n, set.dim) : pca2(x, n, set.dim));
    const pointXY = project(set.point);
    this.post({
      id,
      type: 'progress',
      task: `Projecting to 2-D (${projection.toUpperCase()})`,
      done: 1,
      total: 2,
    });
    const imageXY = project(set.image);
    const batch = pickMixedBatch(set.labels, SIM_BATCH);
    const rows = (x: Float32Array) => {
      const out = new Float32Array(batch.length * set.dim);
      for (let i = 0; i < batch.length; i++) {
        out.set(x.subarray(batch[i]! * set.dim, (batch[i]! + 1) * set.dim), i * set.dim);
      }
      return out;
    };
    const sim = cosineSimilarityMatrix(rows(set.point), rows(set.image), batch.length, set.dim);
    this.post(
      {
        id,
        type: 'embeddings',
        reply: {
          step,
          projection,
          objects,
          labels: set.labels,
          pointXY,
          imageXY,
          dim: set.dim,
          batch,
          sim,
          retrieval: retrievalAccuracy(sim, batch.length),
        },
      },
      [pointXY.buffer, imageXY.buffer, sim.buffer],
    );
  }

  /** Pooled features of every sample-set object, in chunks (each between two steps), with progress. */
  private async allFeatures(
    t: TrainerLike,
    id: number,
    task: string,
  ): Promise<{ features: Float32Array; dim: number }> {
    const n = this.requireDataset().info.objects.length;
    const chunk = 32;
    const parts: Float32Array[] = [];
    for (let s = 0; s < n; s += chunk) {
      const idx = Array.from({ length: Math.min(chunk, n - s) }, (_, i) => s + i);
      parts.push(await this.exclusive(() => t.features(idx)));
      this.post({ id, type: 'progress', task, done: s + idx.length, total: n });
    }
    const dim = parts[0]!.length / Math.min(chunk, n);
    const features = new Float32Array(n * dim);
    let off = 0;
    for (const p of parts) {
      features.set(p, off);
      off += p.length;
    }
    return { features, dim };
  }

  private async sampleFeatures(t: TrainerLike, id: number) {
    const c = this.featureCache;
    if (c && c.trainer === t && c.step === t.stepCount) return c;
    const f = await this.allFeatures(t, id, 'Extracting features of the sample set');
    this.featureCache = { step: t.stepCount, trainer: t, ...f };
    return this.featureCache;
  }

  private async fewshot(id: number, params: FewShotParams): Promise<void> {
    const ds = this.requireDataset();
    const t = this.requireTrainer();
    const create = pieces.createTrainer!;
    const config = this.config!;
    const trained = await this.sampleFeatures(t, id);
    const key = `${JSON.stringify(config)}|${ds.info.params.seed}|${ds.info.objects.length}`;
    if (this.randomFeatures?.key !== key) {
      const quiet: TrainerHooks = {
        onMetrics: () => {},
        onFault: () => {},
        onState: () => {},
        persist: async () => {},
        breathe: async () => {},
      };
      const fresh = await this.exclusive(() => create(this.ctx, config, ds, quiet));
      let r: { features: Float32Array; dim: number };
      try {
        r = await this.allFeatures(fresh, id, 'Features of a randomly initialised encoder');
      } finally {
        fresh.dispose();
      }
      this.randomFeatures = { key, ...r };
    }
    const split = (feats: Float32Array, dim: number, which: 'train' | 'test') => {
      const idx = ds.info.objects.flatMap((o, i) => (o.split === which ? [i] : []));
      const features = new Float32Array(idx.length * dim);
      for (let i = 0; i < idx.length; i++)
        features.set(feats.subarray(idx[i]! * dim, (idx[i]! + 1) * dim), i * dim);
      return { features, labels: Int32Array.from(idx, (i) => ds.info.objects[i]!.label) };
    };
    const opts = { ...params, protocol: 'ours' as const };
    this.post({ id, type: 'progress', task: 'Few-shot episodes', done: 0, total: 2 });
    const trainedRes = fewShotEval(
      split(trained.features, trained.dim, 'train'),
      split(trained.features, trained.dim, 'test'),
      opts,
    );
    this.post({ id, type: 'progress', task: 'Few-shot episodes', done: 1, total: 2 });
    const rf = this.randomFeatures!;
    const randomRes = fewShotEval(
      split(rf.features, rf.dim, 'train'),
      split(rf.features, rf.dim, 'test'),
      opts,
    );
    this.post({
      id,
      type: 'fewshot',
      reply: {
        step: trained.step,
        params,
        trained: trainedRes,
        random: randomRes,
        dim: trained.dim,
        trainObjects: ds.info.objects.filter((o) => o.split === 'train').length,
        testObjects: ds.info.objects.filter((o) => o.split === 'test').length,
      },
    });
  }

  private async classify(req: ReqOf<'classify'>): Promise<void> {
    const read = pieces.readShape;
    if (!read) throw new NotAvailable('files', 'The file readers are not in this build yet.');
    // As many points as the training clouds (1024 before a dataset exists).
    const N = this.dataset?.info.params.points ?? 1024;
    let shape: Awaited<ReturnType<typeof read>>;
    try {
      shape = await read(req.name, req.bytes, N, 1);
    } catch (e) {
      throw new FileError((e as Error).message);
    }
    const points = normaliseCloud(shape.points, req.upAxis);
    const notes = [
      shape.note,
      `centred and scaled to the unit sphere${req.upAxis === 'z' ? ', turned from z-up to y-up' : ''}`,
    ];
    let prediction: ClassifyReply['prediction'] = null;
    if (pieces.createTrainer && this.trainer && this.dataset) {
      prediction = await this.predict(req.id, this.trainer, this.dataset, points);
    }
    const copy = points.slice();
    this.post(
      {
        id: req.id,
        type: 'classified',
        reply: {
          file: req.name,
          format: shape.format,
          notes,
          warnings: shape.warnings,
          points: copy,
          prediction,
        },
      },
      [copy.buffer],
    );
  }

  private async predict(id: number, t: TrainerLike, ds: HostDataset, cloud: Float32Array) {
    const sample = await this.sampleFeatures(t, id);
    const q = await this.exclusive(() => t.cloudFeatures(cloud));
    const d = sample.dim;
    const objs = ds.info.objects;
    // A linear SVM on the standardised features of the sample set's train split.
    const trainIdx = objs.flatMap((o, i) => (o.split === 'train' ? [i] : []));
    const xs = new Float64Array(trainIdx.length * d);
    for (let i = 0; i < trainIdx.length; i++) {
      for (let j = 0; j < d; j++) xs[i * d + j] = sample.features[trainIdx[i]! * d + j]!;
    }
    const scaler = fitScaler(xs, trainIdx.length, d);
    const svm = fitClassifier(
      applyScaler(xs, scaler),
      Int32Array.from(trainIdx, (i) => objs[i]!.label),
      {
        C: 0.01,
        seed: 1,
      },
    );
    const scores = svm.decisionFunction(applyScaler(Float64Array.from(q), scaler), 1);
    const classes = ds.info.summary.classes;
    const top = topK(scores, Math.min(5, scores.length)).map((k) => {
      const label = svm.classes[k]!;
      return { label, className: classes[label] ?? String(label), score: scores[k]! };
    });
    // Nearest shapes by cosine similarity of the raw features.
    const all = new Float32Array(objs.length);
    for (let i = 0; i < objs.length; i++) {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let j = 0; j < d; j++) {
        const a = q[j]!;
        const b = sample.features[i * d + j]!;
        dot += a * b;
        na += a * a;
        nb += b * b;
      }
      all[i] = dot / Math.max(Math.sqrt(na * nb), 1e-12);
    }
    const nearest = topK(all, Math.min(5, objs.length)).map((i) => ({
      index: i,
      id: objs[i]!.id,
      className: classes[objs[i]!.label] ?? String(objs[i]!.label),
      similarity: all[i]!,
    }));
    return { step: t.stepCount, top, nearest };
  }
}

/** UMAP to 2-D with a seeded random source, so the same embeddings give the same picture. */
function umap2(x: Float32Array, n: number, d: number): Float32Array {
  const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
  const rng = new Rng(12345);
  const u = new UMAP({
    nComponents: 2,
    nNeighbors: Math.max(2, Math.min(15, n - 1)),
    random: () => rng.next(),
  });
  const out = u.fit(rows);
  return Float32Array.from(out.flat());
}
