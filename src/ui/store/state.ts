/**
 * The page's state, as the slices that hold it (one concern each). Types only: every slice file
 * imports its interface and `AppState` from here, so no slice imports another.
 */
import type { OodReferenceChoice } from '../../data/ood-reference-clouds';
import type { AdapterSummary } from '../../gpu/adapter-info';
import type { SelfTestResult } from '../../kernels/selftest';
import type { DataFacts } from '../../train/train-config';
import type { StepMetrics, TrainConfig, TrainFault } from '../../train/trainer-api';
import type { PartsPageConfig, PartsPageSizeName } from '../../train/partseg-page';
import type { EngineClient, RequestBody } from '../../worker/client';
import type {
  Capabilities,
  ClassifyReply,
  CompareInitReply,
  PartsArm,
  PartsEpoch,
  PartsPrediction,
  PartsState,
  DatasetInfo,
  EmbeddingsReply,
  EngineEvent,
  EventOf,
  FewShotParams,
  EvalSetSummary,
  FewShotReply,
  FolderFile,
  FolderSummary,
  ObjectDetail,
  Projection,
  RefreshBudgetState,
  TrainerState,
  UpAxis,
} from '../../worker/protocol';
import type { HyperForm, LossHistory, SampleForm } from '../model';
import type { Address as ParsedAddress } from '../address';
import type { UrlState } from '../url-state';

export type EngineStatus =
  | { kind: 'starting' }
  | {
      kind: 'ready';
      adapter: AdapterSummary;
      hasTimestamps: boolean;
      capabilities: Capabilities;
      /** The kernel variants chosen for this adapter (engine start's probe). */
      kernels?: string;
    }
  | { kind: 'unavailable'; reason: string; advice: string }
  | { kind: 'failed'; message: string };

/** Long work in progress, for a progress bar. */
export interface Task {
  label: string;
  done: number;
  total: number;
}

/** The outcome of a request a panel made: a result, a "not in this build" note, or an error. */
export type Outcome<T> =
  | { kind: 'idle' }
  | { kind: 'busy'; task: Task }
  | { kind: 'done'; value: T }
  | { kind: 'not-available'; message: string }
  | { kind: 'error'; message: string };

export type { SampleForm };

/** The engine worker as the store uses it (the tests pass a fake). */
export type Engine = Pick<EngineClient, 'request' | 'onEvent'>;

/** The page's address bar (the tests pass a fake). */
export interface Address {
  /** The query string, `?preset=…` or ''. */
  read(): string;
  write(search: string): void;
}

/** What every slice is given besides set and get: the engine, the address bar, the user's yes/no. */
export interface StoreDeps {
  /** The engine worker, created on first use. */
  engine(): Engine;
  address: Address;
  /** The address as the page opened (each slice takes its part of it as its initial state). */
  initial: ParsedAddress;
  /** Asks the user before something is discarded (window.confirm in the page). */
  confirm(question: string): boolean;
  /** Sends a request; turns errors and 'not-available' into an Outcome for the panel. */
  ask<T>(
    body: RequestBody,
    pick: (ev: EngineEvent) => T | undefined,
    onTask: (t: Task) => void,
    transfer?: Transferable[],
  ): Promise<Outcome<T>>;
}

/** The engine: its start, the adapter, the self-test and the page's notices. */
export interface EngineSlice {
  engine: EngineStatus;
  selfTest: SelfTestResult | undefined;
  notices: { id: number; text: string }[];
  start(): Promise<void>;
  notify(text: string): void;
  dismissNotice(id: number): void;
}

/** The address: preset, seed and open panel, and the preset chosen for the adapter. */
export interface SettingsSlice {
  url: UrlState;
  /**
   * Whether the preset is decided: named by the address or the user, or picked for the adapter.
   * Until then the address leaves it out, so a reload before the engine is ready does not pin it.
   */
  presetDecided: boolean;
  /** Why the preset differs from the usual default, or a warning about its speed on this adapter. */
  presetNote: string | null;
  setUrl(patch: Partial<UrlState>): void;
  /** Picks the preset for the adapter, unless the address or the user named one (then warns if slow). */
  choosePreset(adapter: AdapterSummary): void;
  /** Takes a run's settings (a checkpoint's, an autosave's) into the address and the forms. */
  adoptSettings(config: TrainConfig): void;
  /** Rewrites the address from the settings (called by every setter). */
  writeAddress(): void;
}

/** The sample set: its form, generation and the shape on show. */
export interface DatasetSlice {
  sampleForm: SampleForm;
  dataset: Outcome<DatasetInfo>;
  /** The set's sizes for the training config's check (one object per set, for React selectors). */
  datasetFacts: DataFacts;
  selected: number;
  object: Outcome<ObjectDetail>;
  setSampleForm(patch: Partial<SampleForm>): void;
  generate(): Promise<void>;
  /**
   * Waits for a generation or folder load in flight, then makes the set on hand the preset's:
   * generates the sample set, or reads the folder again at the preset's sizes.
   */
  ensureDataset(): Promise<boolean>;
  /** A dataset reply (generated or read from a folder) becomes the set on hand. */
  acceptDataset(r: Outcome<DatasetInfo>): void;
  select(index: number): Promise<void>;
}

/** What part of a chosen folder to load. */
export interface FolderForm {
  /** Class keys; empty: all. */
  classes: string[];
  /** Objects per class at most; 0: all. */
  perClass: number;
  views: number;
}

/** The user's own folder: indexed by the worker, then its chosen subset loaded as the dataset. */
export interface FolderSlice {
  folder: Outcome<FolderSummary>;
  folderForm: FolderForm;
  /** The folder's .h5 files read as the evaluation set (in the worker). */
  evalSet: Outcome<EvalSetSummary>;
  /** Why the last folder load failed; the dataset on hand stayed. */
  folderLoadError: string | null;
  openFolder(name: string, files: FolderFile[]): Promise<void>;
  setFolderForm(patch: Partial<FolderForm>): void;
  loadFolder(): Promise<void>;
  loadEvalSet(): Promise<void>;
}

/** The training run: its form, the trainer's state, curves and faults. */
export interface TrainingSlice {
  hyper: HyperForm;
  trainer: TrainerState;
  /** A Train/Step/Reset/checkpoint request in flight, with its progress. */
  trainTask: Task | null;
  history: LossHistory;
  latest: StepMetrics | null;
  stepMs: number | null;
  /** The engine's embeddings refresh budget after the last step (null before the first step's metrics). */
  refreshBudget: RefreshBudgetState | null;
  faults: TrainFault[];
  setHyper(patch: Partial<HyperForm>): void;
  /** Starts training; the Train button is enabled only when the form's check passed. */
  train(): Promise<void>;
  /** Trains a finished run on for `more` epochs (the cosine schedule is recomputed over the new total). */
  trainMore(more: number): Promise<void>;
  pause(): Promise<void>;
  step(): Promise<void>;
  reset(): Promise<void>;
  /** A trainer-changing request; its reply is the new trainer state (and the curves, for restores). */
  trainerRequest(
    body: RequestBody,
    label: string,
    transfer?: Transferable[],
  ): Promise<{ history?: LossHistory } | null>;
  /** Unsolicited events of the engine worker about the run (metrics, faults, state changes). */
  onTrainerEvent(ev: EngineEvent): void;
}

/** Checkpoints: save, load, autosave restore and resume, ONNX export. */
export interface CheckpointSlice {
  checkpointMessage: string | null;
  /** After a reload: the autosave training can resume from (until Resume, Discard or a new run). */
  resumeOffer: { step: number; savedAt: number } | null;
  saveCheckpoint(download: boolean): Promise<Uint8Array | null>;
  /** The point encoder as an .onnx file, built in the engine worker. */
  exportOnnx(): Promise<Outcome<EventOf<'onnx'>>>;
  loadCheckpoint(file: File): Promise<void>;
  restoreAutosave(): Promise<void>;
  /** Restores the autosave the reload offered and trains on from it. */
  resume(): Promise<void>;
  discardResume(): void;
  /** Deletes the autosave of the current preset and seed (after asking). */
  discardAutosave(): Promise<void>;
  /** Asks the engine for the trainer's state under the current config (and the autosave offer). */
  syncTrainer(offerResume: boolean): Promise<void>;
}

export interface EmbeddingsSlice {
  projection: Projection;
  embeddings: Outcome<EmbeddingsReply>;
  /** The last finished embeddings while a refresh of them runs (the plots stay until the new ones are ready). */
  embeddingsBefore: EmbeddingsReply | null;
  setProjection(p: Projection): void;
  /**
   * 'paced': an automatic refresh during training, which the engine starts within its refresh
   * budget; 'fresh': the user's Refresh now (embedded again even at an unchanged step); 'auto': the
   * first picture or a new projection (the engine reuses the embeddings of an unchanged step).
   */
  refreshEmbeddings(how?: 'auto' | 'paced' | 'fresh'): Promise<void>;
}

export interface FewshotSlice {
  fewshotForm: FewShotParams;
  fewshot: Outcome<FewShotReply>;
  setFewshotForm(patch: Partial<FewShotParams>): void;
  runFewshot(): Promise<void>;
}

/** The form of "What pretraining buys": random inits, label draws per budget, few-shot episodes (0: none). */
export interface PretrainingForm {
  seeds: number;
  draws: number;
  episodes: number;
  /** Compare on the loaded evaluation set (when there is one) rather than the training set's split. */
  onEvalSet: boolean;
}

export interface PretrainingSlice {
  pretrainingForm: PretrainingForm;
  pretraining: Outcome<CompareInitReply>;
  setPretrainingForm(patch: Partial<PretrainingForm>): void;
  runPretrainingComparison(): Promise<void>;
}

/** What the Classify panel's out-of-distribution threshold is calibrated on. */
export interface OodReferenceForm {
  /** The training set itself, or shapes of the evaluation set loaded in the Data panel. */
  source: 'set' | 'eval-set';
  split: OodReferenceChoice['split'];
  /** Class names of the evaluation set; empty: every class. */
  classes: string[];
}

export interface ClassifySlice {
  upAxis: UpAxis;
  classify: Outcome<ClassifyReply>;
  /** The last file that could not be read (an alert), kept apart from the last good result. */
  fileError: string | null;
  oodReference: OodReferenceForm;
  setOodReference(patch: Partial<OodReferenceForm>): void;
  setUpAxis(a: UpAxis): void;
  classifyFile(file: File): Promise<void>;
}

export interface PartsSlice {
  /** The size the next Fine-tune uses (a named size or the user's edit of one). */
  partsForm: PartsPageConfig;
  partsSize: PartsPageSizeName | 'custom';
  partsState: PartsState | null;
  /** Both runs' epochs, in the order they finished. */
  partsEpochs: PartsEpoch[];
  partsPrediction: Outcome<PartsPrediction>;
  /** ShapeNetPart category (0-15) of the next dropped shape. */
  partsCategory: number;
  /** Which run colours a dropped shape. */
  partsArm: PartsArm;
  /** The last refused size or file, one message; what was on screen stays. */
  partsAlert: string | null;
  /** What the last restore, load or download did, in a sentence. */
  partsMessage: string | null;
  choosePartsSize(size: PartsPageSizeName | 'custom'): void;
  /** The reference size on a real GPU (the first-look size stays on a CPU fallback adapter). */
  partsSizeForAdapter(): void;
  setPartsForm(patch: Partial<PartsPageConfig>): void;
  setPartsCategory(c: number): void;
  setPartsArm(a: PartsArm): void;
  dismissPartsAlert(): void;
  startParts(): Promise<void>;
  playParts(): Promise<void>;
  pauseParts(): Promise<void>;
  onPartsEvent(ev: EngineEvent): void;
  predictParts(file: File): Promise<void>;
  /** After a reload: asks the worker what is autosaved (the panel offers Restore). */
  syncParts(): Promise<void>;
  /** Rebuilds both runs from the autosave, paused, with their curves. */
  restoreParts(): Promise<void>;
  /** Replaces run `arm` by a `crosspoint partseg --out` checkpoint file. */
  loadPartsCheckpoint(arm: PartsArm, file: File): Promise<void>;
  /** Run `arm` as a `crosspoint partseg --out` checkpoint (null when there is none). */
  downloadPartsCheckpoint(arm: PartsArm): Promise<{ bytes: Uint8Array; epoch: number } | null>;
  /** Deletes the autosaved runs from this browser (asks first). */
  discardPartsAutosave(): Promise<void>;
}

export type AppState = EngineSlice &
  PartsSlice &
  SettingsSlice &
  DatasetSlice &
  FolderSlice &
  TrainingSlice &
  CheckpointSlice &
  EmbeddingsSlice &
  FewshotSlice &
  PretrainingSlice &
  ClassifySlice;

type SetState = (partial: Partial<AppState>) => void;
type GetState = () => AppState;

/** A slice: its initial state and actions, given the store's set/get and the shared deps. */
export type SliceCreator<S> = (set: SetState, get: GetState, deps: StoreDeps) => S;
