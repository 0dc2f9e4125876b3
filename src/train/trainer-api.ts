import type { DgcnnConfig } from '../nn/dgcnn-config';
import type { ResNetConfig } from '../nn/resnet-config';
import type { PresetName } from './presets';

/**
 * The contract between the trainer (src/train/trainer.ts) and its hosts (the Web Worker, the
 * `crosspoint pretrain` command, tests). Plain data only, so it can cross postMessage.
 */

/**
 * Which data a run trained on, so a resume or a shared link can find (or make) the same set:
 * `source` 'sample' is the generated sample set (remade from `sample`); other sources (a user's
 * files) name what the user has to bring back.
 */
export interface DatasetIdentity {
  /** The set's name as the Data panel shows it. */
  name: string;
  /** 'sample' (generated) or where the files came from (a folder or file names). */
  source: string;
  /** Training objects per class, in class order. */
  counts: number[];
  /** The generated set's parameters (source 'sample' only). */
  sample?: { perClass: number; views: number; seed: number; points: number; imageSize: number };
}

/** Which terms of L = L_imid + L_cmid are trained (the paper's ablation switches). */
export interface LossTerms {
  imid: boolean;
  cmid: boolean;
}

export interface TrainConfig {
  preset: PresetName;
  seed: number;
  /** Overrides of the preset's values. */
  batch?: number;
  lr?: number;
  weightDecay?: number;
  epochs?: number;
  temperature?: number;
  k?: number;
  losses?: LossTerms;
  /** Autosave a checkpoint every this many steps (0 = never; the worker also saves on pause). */
  checkpointEvery?: number;
  /** Shape overrides of the preset (smaller models for tests and slow adapters). */
  model?: {
    points?: number;
    imageSize?: number;
    /** Widths only: k has one slot, `k` above. */
    dgcnn?: Partial<Omit<DgcnnConfig, 'k'>>;
    resnet?: Partial<ResNetConfig>;
  };
  /** Augment clouds and views (default true); off, both copies of a cloud are the same normalised cloud. */
  augment?: boolean;
  /** Train on the same first B objects every step (an overfitting check), default false. */
  fixedBatch?: boolean;
  /** The data set the run trains on (informational: checkpoints carry it so a resume can find the set). */
  data?: DatasetIdentity;
  /**
   * The point encoder: 'dgcnn' (default, the classification DGCNN) or 'dgcnn_seg' (the reference's
   * `--model dgcnn_seg`: DGCNN_partseg's encoder with inv_head on its global feature, whose
   * checkpoint fine-tunes the part-segmentation model; sizes from the preset, see
   * partSegConfigForPreset).
   */
  encoder?: 'dgcnn' | 'dgcnn_seg';
}

/** One training step's report. Losses are NaN for a term that is switched off. */
export interface StepMetrics {
  step: number;
  /** Epochs completed after this step (fractional: 20 at the end of a 20-epoch run). */
  epoch: number;
  lImid: number;
  lCmid: number;
  loss: number;
  lr: number;
  stepMs: number;
  samplesPerSec: number;
  /** Bytes the trainer's GPU buffers hold. */
  gpuBytes: number;
  /** Estimated seconds to the end of the configured epochs at the current speed. */
  etaSec: number;
}

/** Something went wrong and the trainer recovered (or could not). */
export interface TrainFault {
  kind: 'non-finite' | 'device-lost' | 'limits' | 'error';
  message: string;
  /** For 'non-finite': the tensor (loss term or parameter gradient) that went bad. */
  tensor?: string;
  /** The step training resumed from, when it recovered. */
  restoredStep?: number;
}

/** A dataset summary the UI shows. */
export interface DatasetSummary {
  name: string;
  classes: string[];
  /** Objects per class in the train and test splits. */
  trainCounts: number[];
  testCounts: number[];
  points: number;
  views: number;
  imageSize: number;
}

/** The data a run trained on, as a checkpoint records it (metadata entry "dataset", JSON). */
export function datasetIdentity(s: DatasetSummary) {
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return {
    name: s.name,
    classes: s.classes.length,
    train: sum(s.trainCounts),
    test: sum(s.testCounts),
    points: s.points,
    views: s.views,
    image_size: s.imageSize,
  };
}

/** Embeddings of a set of objects for the Embeddings panel: both spaces, same object order. */
export interface EmbeddingSet {
  ids: string[];
  labels: number[];
  /** [n, d] point-branch projections and [n, d] image-branch projections. */
  point: Float32Array;
  image: Float32Array;
  dim: number;
}
