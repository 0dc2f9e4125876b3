/**
 * The engine's state inside the worker (dataset, training run) and the transport of the page's
 * requests to it: no analysis happens here (src/eval/model-analyses.ts), no training logic
 * (src/train/session.ts). GPU work of the analyses goes through one queue and never interleaves
 * with a training step (see gpu-queue.ts). No DOM.
 */
import type { EvaluationSet } from '../data/evaluation-set';
import type { FolderIndex } from '../data/folder-index';
import { readUserCloud } from '../data/loaders/read-shape';
import { type OodReferenceClouds, oodReferenceClouds } from '../data/ood-reference-clouds';
import type { GpuContext } from '../gpu/context';
import type { TrainConfig } from '../train/trainer-api';
import { InputError } from '../util/errors';
import { getCheckpoint } from './checkpoint-store';
import { DatasetSlot, NO_DATASET } from './dataset-slot';
import { GpuQueue } from './gpu-queue';
import { generateHostDataset, objectDetail, transferableInfo } from './host-dataset';
import {
  evalSetSummary,
  folderIndexOf,
  folderSummary,
  loadEvaluationSet,
  loadFolderHostDataset,
} from './host-dataset-folder';
import { PartsHost } from './parts-host';
import type { Capabilities, EngineRequest, Post } from './protocol';
import { RunSlot } from './run-slot';
import {
  exportOnnx,
  loadCheckpoint,
  type Run,
  saveCheckpoint,
  storedCheckpoints,
  trainerState,
} from './training-host';

type ReqOf<T extends EngineRequest['type']> = Extract<EngineRequest, { type: T }>;

export function capabilities(): Capabilities {
  return { dataset: true, files: true, trainer: true };
}

/** Requests that carry a user's file: an InputError there is about the file. */
const FILE_REQUESTS = new Set<EngineRequest['type']>([
  'classify',
  'checkpoint-load',
  'checkpoint-restore',
  'folder-index',
  'folder-load',
  'eval-load',
  'parts-start',
  'parts-predict',
  'parts-load',
  'parts-restore',
]);

export class Session {
  /** The sample set: generations one at a time, a replaced set freed only when nothing uses it. */
  private readonly datasets: DatasetSlot;
  private readonly gpu = new GpuQueue(() => this.run?.session.isRunning ?? false);
  private readonly runs: RunSlot;
  /** The folder the user chose last, indexed (its files are read on folder-load). */
  private folder: FolderIndex | undefined;
  /**
   * The evaluation set the user brought (.h5 files of a folder), for the analyses that evaluate
   * on real shapes rather than the training set's split; undefined until one is loaded.
   */
  evalSet: EvaluationSet | undefined;
  /** The Parts panel's fine-tuning runs (independent of the pretraining run). */
  private readonly parts: PartsHost;

  constructor(
    private readonly ctx: GpuContext,
    private readonly post: Post,
  ) {
    this.parts = new PartsHost(ctx, post, this.gpu);
    this.datasets = new DatasetSlot(() => ctx.device.queue.onSubmittedWorkDone());
    this.runs = new RunSlot(ctx, post, this.gpu, {
      ready: () => this.datasets.required(),
      waiting: () => this.datasets.generating,
    });
  }

  private get run(): Run | undefined {
    return this.runs.current;
  }

  async handle(req: EngineRequest): Promise<void> {
    try {
      await this.dispatch(req);
    } catch (e) {
      // The user's file (a shape or a checkpoint) is the problem; nothing else changed.
      if (e instanceof InputError && FILE_REQUESTS.has(req.type)) {
        this.post({ id: req.id, type: 'file-error', message: e.message });
      } else {
        const err = e instanceof Error ? e : new Error(String(e));
        this.post({ id: req.id, type: 'error', kind: err.name, message: err.message });
      }
    }
  }

  private progress(id: number) {
    return (task: string, done: number, total: number) =>
      this.post({ id, type: 'progress', task, done, total });
  }

  /**
   * The trainer's state (with the autosave for `config`, default the run's) as a request's reply;
   * after a checkpoint load also the curves the checkpoint carried.
   */
  private async reply(id: number, config = this.run?.config ?? null, loaded = false): Promise<void> {
    const state = await trainerState(this.run?.session, config);
    this.post({ id, type: 'trainer', state, ...(loaded ? { history: this.run?.session.history } : {}) });
  }

  private async dispatch(req: EngineRequest): Promise<void> {
    switch (req.type) {
      case 'generate':
        return this.generate(req);
      case 'object':
        return this.object(req);
      case 'folder-index':
        this.folder = folderIndexOf(req.name, req.files);
        return this.post({ id: req.id, type: 'folder', summary: folderSummary(this.folder) });
      case 'folder-load':
        return this.loadFolder(req);
      case 'eval-load': {
        if (!this.folder)
          throw new InputError('No folder chosen: choose or drop a folder with .h5 files first.');
        this.evalSet = await loadEvaluationSet(this.folder, 0);
        return this.post({ id: req.id, type: 'eval-set', summary: evalSetSummary(this.evalSet) });
      }
      case 'trainer-state':
        return this.reply(req.id, req.config);
      case 'run': {
        const r = await this.ensureRun(req.config, req.id);
        if (!r.session.isRunning) await this.gpu.serial(async () => void r.session.run());
        return this.reply(req.id);
      }
      case 'pause':
        // Stops after the step in flight and autosaves.
        await this.run?.session.pause();
        return this.reply(req.id);
      case 'step': {
        const r = await this.ensureRun(req.config, req.id);
        if (r.session.isRunning) throw new Error('training is running: pause it before stepping');
        await this.gpu.serial(() => r.session.stepOnce());
        return this.reply(req.id);
      }
      case 'reset':
        await this.runs.reset();
        return this.reply(req.id);
      case 'continue': {
        const r = this.requireRun();
        if (r.session.isRunning) throw new Error('training is running: it trains on by itself');
        r.session.continueTo(req.epochs);
        await this.gpu.serial(async () => void r.session.run());
        return this.reply(req.id);
      }
      case 'autosave-discard':
        await storedCheckpoints.discard('autosave', req.config);
        return this.reply(req.id, req.config);
      case 'embed': {
        const run = this.requireRun();
        const reply = await run.analyses.embeddings(req.projection, req.limit, this.progress(req.id), {
          paced: req.paced,
          fresh: req.fresh,
        });
        // Kept in the run's history (and so in its checkpoints) for the curves over training.
        run.session.recordEval({ ...reply.summary, step: reply.step });
        const transfer = [reply.pointXY, reply.imageXY, reply.jointXY, reply.sim].map((a) => a.buffer);
        return this.post({ id: req.id, type: 'embeddings', reply }, transfer);
      }
      case 'fewshot': {
        const reply = await this.requireRun().analyses.fewShot(req.params, this.progress(req.id));
        return this.post({ id: req.id, type: 'fewshot', reply });
      }
      case 'compare-init': {
        const run = this.requireRun();
        const reply = await run.analyses.compareInit(req.params, this.progress(req.id), this.evalSet);
        return this.post({ id: req.id, type: 'compare-init', reply });
      }
      case 'classify':
        return this.classify(req);
      case 'parts-start':
        await this.parts.create(req.config, await this.partsEncoder());
        this.parts.play();
        return this.post({ id: req.id, type: 'parts-state', state: this.parts.state() });
      case 'parts-sync':
        await this.parts.sync();
        return this.post({ id: req.id, type: 'parts-state', state: this.parts.state() });
      case 'parts-restore':
        await this.parts.restore();
        return this.post({
          id: req.id,
          type: 'parts-state',
          state: this.parts.state(),
          epochs: this.parts.epochs(),
          message: 'Restored the autosaved runs (paused): press Play to go on.',
        });
      case 'parts-load': {
        const message = await this.parts.load(req.arm, req.name, req.bytes, await this.partsEncoder());
        return this.post({
          id: req.id,
          type: 'parts-state',
          state: this.parts.state(),
          epochs: this.parts.epochs(),
          message,
        });
      }
      case 'parts-download': {
        const { bytes, epoch } = await this.parts.download(req.arm);
        return this.post({ id: req.id, type: 'parts-checkpoint', arm: req.arm, epoch, bytes }, [
          bytes.buffer,
        ]);
      }
      case 'parts-autosave-discard':
        await this.parts.discardAutosave();
        return this.post({ id: req.id, type: 'parts-state', state: this.parts.state() });
      case 'parts-play':
        this.parts.play();
        return this.post({ id: req.id, type: 'parts-state', state: this.parts.state() });
      case 'parts-pause':
        await this.parts.pause();
        return this.post({ id: req.id, type: 'parts-state', state: this.parts.state() });
      case 'parts-predict': {
        const reply = await this.parts.predict(req.name, req.bytes, req.category, req.arm);
        const transfer = [reply.points.buffer, reply.pred.buffer, reply.prob.buffer];
        if (reply.truth) transfer.push(reply.truth.buffer);
        return this.post({ id: req.id, type: 'parts-prediction', reply }, transfer);
      }
      case 'export-onnx': {
        const r = this.requireRun();
        const { bytes, step, points } = await this.gpu.exclusive(() => exportOnnx(r.session, req.batch));
        return this.post({ id: req.id, type: 'onnx', step, points, bytes }, [bytes.buffer]);
      }
      case 'checkpoint-save': {
        const { bytes, step } = await saveCheckpoint(this.requireRun(), this.gpu);
        return this.post({ id: req.id, type: 'checkpoint', step, bytes }, [bytes.buffer]);
      }
      case 'checkpoint-load':
        await this.loadCheckpoint(req.config, req.bytes, req.id, req.name);
        return this.reply(req.id, undefined, true);
      case 'checkpoint-restore': {
        const c = await getCheckpoint(storedCheckpoints.of('autosave', req.config));
        if (!c) throw new Error(`no autosave for preset ${req.config.preset}, seed ${req.config.seed}`);
        await this.loadCheckpoint(req.config, c.bytes, req.id, 'the autosave');
        return this.reply(req.id, undefined, true);
      }
      case 'init':
      case 'selftest':
        throw new Error(`${req.type} is handled by the worker shell`);
    }
  }

  /** The classification DGCNN's weights as they are now (read between two steps), or null. */
  private async partsEncoder() {
    const run = this.run;
    return run
      ? await this.gpu.exclusive(async () => ({
          values: await run.session.trainer.point.params.download(),
          step: run.session.step,
        }))
      : null;
  }

  private async generate(req: ReqOf<'generate'>): Promise<void> {
    const t0 = performance.now();
    const ds = await this.datasets.replace(
      () => generateHostDataset(this.ctx, req.params, this.progress(req.id)),
      () => {
        // A run reads the current set's buffers: it must not be replaced (and freed) under it.
        if (this.runs.inUse) throw new Error('Reset training before generating a new sample set.');
      },
    );
    const info = transferableInfo(ds, (performance.now() - t0) / 1000);
    this.post(
      { id: req.id, type: 'dataset', info },
      info.thumbs.map((t) => t.rgba.buffer),
    );
  }

  private async loadFolder(req: ReqOf<'folder-load'>): Promise<void> {
    const folder = this.folder;
    if (!folder) throw new InputError('No folder chosen: choose or drop a folder in the Data panel first.');
    const t0 = performance.now();
    const ds = await this.datasets.replace(
      () => loadFolderHostDataset(this.ctx, folder, req.params, this.progress(req.id)),
      () => {
        if (this.runs.inUse) throw new Error('Reset training before loading another dataset.');
      },
    );
    const info = transferableInfo(ds, (performance.now() - t0) / 1000);
    this.post(
      { id: req.id, type: 'dataset', info },
      info.thumbs.map((t) => t.rgba.buffer),
    );
  }

  private async object(req: ReqOf<'object'>): Promise<void> {
    const ds = await this.datasets.required();
    // A reader: a regeneration meanwhile frees this set only after the views are read back.
    const detail = await this.datasets.read(ds, () => objectDetail(ds, req.index));
    this.post({ id: req.id, type: 'object', detail }, [
      detail.points.buffer,
      ...detail.views.map((v) => v.rgba.buffer),
    ]);
  }

  private requireRun(): Run {
    if (!this.datasets.current) throw new Error(NO_DATASET);
    if (!this.run) throw new Error('No model yet: press Train or Step first.');
    return this.run;
  }

  private ensureRun(config: TrainConfig, id: number): Promise<Run> {
    return this.runs.ensure(config, this.progress(id));
  }

  private async loadCheckpoint(config: TrainConfig, bytes: Uint8Array, id: number, name: string) {
    if (this.run?.session.isRunning) throw new Error('Pause training before loading a checkpoint.');
    await loadCheckpoint(await this.ensureRun(config, id), this.gpu, bytes, name);
  }

  /** The Classify panel's OOD reference clouds, kept while the choice and the evaluation set stay. */
  private oodReference: { key: string; of: EvaluationSet; clouds: OodReferenceClouds } | undefined;

  /** The clouds of `choice` (undefined: the training set is the reference). */
  private oodReferenceClouds(req: ReqOf<'classify'>, N: number): OodReferenceClouds | undefined {
    const choice = req.reference;
    if (!choice) return undefined;
    const set = this.evalSet;
    // Not the file's fault: a plain Error, so the page does not say the file could not be read.
    if (!set)
      throw new Error(
        'No evaluation set loaded to calibrate on: load .h5 files as the evaluation set in the Data panel, or calibrate on the training set.',
      );
    const key = JSON.stringify([choice.split, choice.classes, N, req.upAxis]);
    if (this.oodReference?.of !== set || this.oodReference.key !== key) {
      try {
        this.oodReference = { key, of: set, clouds: oodReferenceClouds(set, choice, N, req.upAxis) };
      } catch (e) {
        throw new Error((e as Error).message);
      }
    }
    return this.oodReference.clouds;
  }

  private async classify(req: ReqOf<'classify'>): Promise<void> {
    // As many points as the training clouds (1024 before a dataset exists).
    const N = this.datasets.current?.info.params.points ?? 1024;
    const cloud = await readUserCloud(req.name, req.bytes, N, req.upAxis);
    const reference = this.oodReferenceClouds(req, N);
    this.run?.analyses.setOodReferenceClouds(reference);
    const prediction = this.run ? await this.run.analyses.predict(cloud.points, this.progress(req.id)) : null;
    const points = cloud.points.slice();
    const { format, notes, warnings } = cloud;
    const reply = { file: req.name, format, notes, warnings, points, prediction };
    this.post({ id: req.id, type: 'classified', reply }, [points.buffer]);
  }
}
