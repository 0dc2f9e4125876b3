import type { EvalKind, FileProblem, FolderClass, FolderLayout } from '../data/folder-index';
import type { UpAxis } from '../data/geometry';
import type { OodReferenceChoice } from '../data/ood-reference-clouds';
import type { EmbeddingView, Projection } from '../eval/embedding-view';
import type { CompareInitParams, CompareInitReply } from '../eval/model-analyses';
import type { FewShotComparison, FewShotParams } from '../eval/object-analyses';
import type { Prediction } from '../eval/set-classifier';
import type { AdapterSummary } from '../gpu/adapter-info';
import type { SelfTestResult } from '../kernels/selftest';
import type { PartsPageConfig } from '../train/partseg-page';
import type { MetricsHistory } from '../train/metrics-history';
import type { FolderLoadReport } from '../train/training-data-folder';
import type { DatasetSummary, StepMetrics, TrainConfig, TrainFault } from '../train/trainer-api';

/**
 * The page ↔ engine-worker protocol. Plain data only; large arrays travel as transferred typed
 * arrays, never as JSON. Every request carries an id echoed by its final reply; a request may
 * also stream `progress` events with its id before the reply. Unsolicited events use id −1.
 */

/** Which engine pieces this build has (a panel whose piece is missing says so). */
export interface Capabilities {
  /** Generating (and rendering) the sample set. */
  dataset: boolean;
  /** Reading .ply/.off/.obj/.h5 files. */
  files: boolean;
  /** The CrossPoint trainer (training, embeddings, features). */
  trainer: boolean;
}

export interface SampleSetParams {
  perClass: number;
  views: number;
  seed: number;
  /** Points per object and view size follow the preset. */
  points: number;
  imageSize: number;
}

export interface ObjectInfo {
  id: string;
  label: number;
  split: 'train' | 'test';
}

/** A small RGBA8 picture (a rendered view, possibly downsampled). */
export interface Thumb {
  size: number;
  /** [size·size·4] */
  rgba: Uint8Array;
}

/** A file of a folder the user chose, as the page hands it to the worker (read there, locally). */
export interface FolderFile {
  /** Path relative to the chosen folder, '/'-separated. */
  path: string;
  file: Blob;
}

/** A folder indexed by layout (src/data/folder-index.ts), before anything is read. */
export interface FolderSummary {
  name: string;
  layout: FolderLayout | null;
  /** The layout in words. */
  layoutName: string | null;
  classes: FolderClass[];
  objects: number;
  /** Most views an object has (CrossPoint's layout); 0 when views are rendered from meshes. */
  maxViews: number;
  evalFiles: { path: string; kind: EvalKind; split?: 'train' | 'test' }[];
  /** Files left out by the index, one line each. */
  problems: FileProblem[];
}

/** The evaluation set read from a folder's .h5 files (src/data/evaluation-set.ts), as the page shows it. */
export interface EvalSetSummary {
  name: string;
  kind: EvalKind;
  classes: string[];
  /** Clouds per class in each split. */
  trainCounts: number[];
  testCounts: number[];
  pointsPerCloud: number;
  files: string[];
  problems: FileProblem[];
  notes: string[];
}

/** What part of the indexed folder to load, at the preset's sizes. */
export interface FolderLoadParams extends SampleSetParams {
  /** Class keys; empty: all. perClass 0: every object. */
  classes: string[];
  /**
   * Testing knob (the page's `?data-budget=BYTES`): the GPU budget for the set instead of the
   * tab's 4 GiB, so a small folder streams from the disk cache as a large one would.
   */
  budgetBytes?: number;
}

/** Where a dataset came from: the generator (absent) or a folder, with its per-file report. */
export interface DatasetSource {
  kind: 'folder';
  report: FolderLoadReport;
}

export interface DatasetInfo {
  summary: DatasetSummary;
  params: SampleSetParams;
  source?: DatasetSource;
  objects: ObjectInfo[];
  /** First view of each object, at most 64×64, same order as objects. */
  thumbs: Thumb[];
  seconds: number;
}

export interface ObjectDetail {
  index: number;
  id: string;
  label: number;
  className: string;
  split: 'train' | 'test';
  /** [N·3] surface points. */
  points: Float32Array;
  views: Thumb[];
}

export interface TrainerState {
  /** Whether a trainer exists (it is created on the first Train or Step). */
  exists: boolean;
  running: boolean;
  step: number;
  /** Steps of the run's configured epochs (0 without a trainer); step = totalSteps: finished. */
  totalSteps: number;
  /** The last step kept in a checkpoint (autosave or save; 0: none): later steps are unsaved. */
  savedStep: number;
  config: TrainConfig | null;
  /**
   * The autosaved checkpoint for this preset and seed, if any, with the settings it was trained
   * with (null for a checkpoint written before they were recorded).
   */
  autosave: { step: number; savedAt: number; bytes: number; config: TrainConfig | null } | null;
}

export type { Projection };

/** The worker's embeddings refresh budget (src/worker/refresh-pacer.ts), sent with each step's metrics. */
export interface RefreshBudgetState {
  /** Whether an automatic refresh may start now (its predecessors are paid for). */
  ready: boolean;
  /** The run's training time and the refresh work charged while it trained, since the engine started (ms). */
  trainingMs: number;
  refreshMs: number;
  /** The share the refresh is paced to. */
  share: number;
}

/** The Embeddings and Similarity panels' picture (src/eval/embedding-view.ts) at a step. */
export interface EmbeddingsReply extends EmbeddingView {
  step: number;
  /** Milliseconds the refresh held training up (its GPU jobs between steps, its projection on the worker): the refresh budget's cost. */
  costMs: number;
}

export type { CompareInitParams, CompareInitReply, FewShotParams };

/** Few-shot episodes of the trained and a random-init encoder (src/eval/object-analyses.ts). */
export interface FewShotReply extends FewShotComparison {
  step: number;
}

export type { UpAxis };

export interface ClassifyReply {
  file: string;
  format: string;
  /** What was done to the file's points (sampling, normalisation), for the user. */
  notes: string[];
  warnings: string[];
  /** [N·3] normalised points, as the encoder saw them. */
  points: Float32Array;
  /** Only when a model exists. */
  prediction: (Prediction & { step: number }) | null;
}

export type PartsArm = 'pretrained' | 'random';

/** The Parts panel's two fine-tuning runs as the page sees them. */
export interface PartsState {
  exists: boolean;
  running: boolean;
  config: PartsPageConfig | null;
  /** Epochs finished per run. */
  epochs: Record<PartsArm, number>;
  /** Tensors the 'pretrained' run took from the classification DGCNN (empty: random init too). */
  transferred: string[];
  /** The classification model's step they were taken at (null: there was no model). */
  encoderStep: number | null;
  trainShapes: number;
  testShapes: number;
  /** Test instance mIoU of one part everywhere (partseg-page.ts singlePartBaseline); null: no runs. */
  baselineMiou: number | null;
  /** Why training stopped, when it failed. */
  error: string | null;
  /** The runs autosaved in this browser (after a reload: what Restore brings back). */
  autosave: PartsAutosave | null;
  /** Why the last autosave failed (fine-tuning goes on). */
  autosaveError: string | null;
}

/** The Parts runs kept in IndexedDB: each run's epoch, when, and the settings they ran with. */
export interface PartsAutosave {
  epochs: Record<PartsArm, number>;
  savedAt: number;
  config: PartsPageConfig;
}

/** One run's epoch: train loss and the test split's scores (calculate_shape_IoU). */
export interface PartsEpoch {
  arm: PartsArm;
  epoch: number;
  step: number;
  trainLoss: number;
  testLoss: number;
  instanceMiou: number;
  classMiou: number;
  accuracy: number;
  trainSeconds: number;
  testSeconds: number;
}

/** A dropped shape coloured by a run's prediction. */
export interface PartsPrediction {
  file: string;
  category: number;
  arm: PartsArm;
  /** The run's epochs when it predicted. */
  epoch: number;
  /** [N·3] as the model saw them (resampled, normalised). */
  points: Float32Array;
  /** [N] global part id, the most likely among the category's parts. */
  pred: Int32Array;
  /** [N] its softmax probability among the category's parts. */
  prob: Float32Array;
  /** [N] the file's labels (global ids), null when it had none. */
  truth: Int32Array | null;
  perPart: { part: number; iou: number; predicted: number; labelled: number }[] | null;
  /** Mean of perPart's IoU (the shape's term in instance mIoU). */
  shapeIou: number | null;
  notes: string[];
}

type Req<T extends string, P = object> = { id: number; type: T } & P;

/** Messages from the page to the engine worker. */
export type EngineRequest =
  | Req<'init'>
  | Req<'selftest', { n?: number; seed?: number }>
  | Req<'generate', { params: SampleSetParams }>
  /** Index a folder's files by layout (nothing is read yet); the worker keeps them for folder-load. */
  | Req<'folder-index', { name: string; files: FolderFile[] }>
  /** Read the indexed folder's subset into the dataset (replacing the current one). */
  | Req<'folder-load', { params: FolderLoadParams }>
  /** Read the indexed folder's .h5 files as the evaluation set (for the SVM, few-shot and compare panels). */
  | Req<'eval-load'>
  | Req<'object', { index: number }>
  /** The trainer's state, and the autosave that exists for `config`'s preset and seed. */
  | Req<'trainer-state', { config: TrainConfig }>
  /** Run and Step create the trainer with `config` when none exists (Reset drops it). */
  | Req<'run', { config: TrainConfig }>
  | Req<'pause'>
  | Req<'step', { config: TrainConfig }>
  | Req<'reset'>
  /** Trains a finished (or paused) run on to `epochs` epochs in all: the cosine schedule is recomputed. */
  | Req<'continue', { epochs: number }>
  /** Deletes the autosave of `config`'s preset and seed. */
  | Req<'autosave-discard', { config: TrainConfig }>
  /**
   * `paced`: an automatic refresh during training, started when the refresh budget allows;
   * `fresh`: embed again even when the weights are those of the last picture ("Refresh now").
   */
  | Req<'embed', { projection: Projection; limit: number; paced?: boolean; fresh?: boolean }>
  | Req<'fewshot', { params: FewShotParams }>
  /** What pretraining buys: the trained encoder against random inits (src/eval/compare-init.ts). */
  | Req<'compare-init', { params: CompareInitParams }>
  /** `reference`: calibrate the OOD score on part of the loaded evaluation set (absent: the training set). */
  | Req<'classify', { name: string; bytes: Uint8Array; upAxis: UpAxis; reference?: OodReferenceChoice }>
  /** The point encoder as ONNX, `batch` clouds per run (built in the worker from the GPU weights). */
  | Req<'export-onnx', { batch: number }>
  /** Parts panel: build both fine-tuning runs for `config` (from the current classification model) and play. */
  | Req<'parts-start', { config: PartsPageConfig }>
  | Req<'parts-play'>
  | Req<'parts-pause'>
  | Req<'parts-predict', { name: string; bytes: Uint8Array; category: number; arm: PartsArm }>
  /** The Parts state with what the browser holds autosaved (sent once after a reload). */
  | Req<'parts-sync'>
  /** Rebuild both Parts runs from their autosave (paused); the reply carries their curves. */
  | Req<'parts-restore'>
  /** Replace run `arm` by a `crosspoint partseg --out` checkpoint file. */
  | Req<'parts-load', { arm: PartsArm; name: string; bytes: Uint8Array }>
  /** Run `arm` as a `crosspoint partseg --out` checkpoint. */
  | Req<'parts-download', { arm: PartsArm }>
  | Req<'parts-autosave-discard'>
  | Req<'checkpoint-save'>
  | Req<'checkpoint-load', { bytes: Uint8Array; name: string; config: TrainConfig }>
  | Req<'checkpoint-restore', { config: TrainConfig }>;

/** Messages from the engine worker to the page. */
export type EngineEvent =
  | {
      id: number;
      type: 'ready';
      adapter: AdapterSummary;
      hasTimestamps: boolean;
      capabilities: Capabilities;
    }
  | { id: number; type: 'unavailable'; reason: string; advice: string }
  | { id: number; type: 'selftest'; result: SelfTestResult }
  | { id: number; type: 'error'; kind: string; message: string }
  /** The file the user gave could not be read; nothing else changed. */
  | { id: number; type: 'file-error'; message: string }
  | { id: number; type: 'not-available'; piece: keyof Capabilities; message: string }
  | { id: number; type: 'progress'; task: string; done: number; total: number }
  | { id: number; type: 'dataset'; info: DatasetInfo }
  | { id: number; type: 'folder'; summary: FolderSummary }
  | { id: number; type: 'eval-set'; summary: EvalSetSummary }
  | { id: number; type: 'object'; detail: ObjectDetail }
  /** `history`: the curves a loaded checkpoint carried (checkpoint-load and -restore replies). */
  | { id: number; type: 'trainer'; state: TrainerState; history?: MetricsHistory }
  | { id: number; type: 'embeddings'; reply: EmbeddingsReply }
  | { id: number; type: 'fewshot'; reply: FewShotReply }
  | { id: number; type: 'compare-init'; reply: CompareInitReply }
  | { id: number; type: 'classified'; reply: ClassifyReply }
  /** `epochs`: every epoch of both runs, after a restore or load; `message`: what it did. */
  | { id: number; type: 'parts-state'; state: PartsState; epochs?: PartsEpoch[]; message?: string }
  | { id: number; type: 'parts-checkpoint'; arm: PartsArm; epoch: number; bytes: Uint8Array }
  | { id: number; type: 'parts-prediction'; reply: PartsPrediction }
  | { id: -1; type: 'parts-epoch'; epoch: PartsEpoch; state: PartsState }
  | { id: number; type: 'checkpoint'; step: number; bytes: Uint8Array }
  /** An .onnx file of the point encoder at `step`, for clouds of `points` points. */
  | { id: number; type: 'onnx'; step: number; points: number; bytes: Uint8Array }
  /** A step's metrics, and the embeddings refresh budget's state after it. */
  | { id: -1; type: 'metrics'; metrics: StepMetrics; refresh?: RefreshBudgetState }
  | { id: -1; type: 'fault'; fault: TrainFault }
  | { id: -1; type: 'trainer-state'; state: TrainerState }
  | { id: -1; type: 'device-lost'; reason: string; message: string }
  | { id: -1; type: 'gpu-error'; kind: string; message: string }
  /** The kernel variants engine start's probe chose, e.g. "matmul blocked 16x4, conv2d direct (cached)". */
  | { id: -1; type: 'kernels'; kernels: string };

export type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/** How the worker's side sends an event to the page (large arrays in `transfer` are moved, not copied). */
export type Post = (ev: EngineEvent, transfer?: Transferable[]) => void;
