/**
 * The engine pieces the worker drives, behind small interfaces that mirror their contracts
 * (src/train/trainer-api.ts and the data modules). A piece that is not in this build is left
 * undefined: the worker then answers 'not-available' and the page says so, instead of showing
 * invented numbers. Wiring a piece in is a change to this file only.
 */
import { isSet, loadAny, toPointCloud } from '../data/loaders';
import type { GpuContext } from '../gpu/context';
import type { EmbeddingSet, StepMetrics, TrainConfig, TrainFault } from '../train/trainer-api';
import { Rng } from '../util/random';
import type { DatasetInfo, SampleSetParams, Thumb } from './protocol';
import { generateSampleDataset } from './sample-dataset';
import { createTrainer } from './trainer-adapter';

/** A dataset held by the worker: what the panels show, plus whatever the trainer consumes. */
export interface HostDataset {
  info: Omit<DatasetInfo, 'seconds'>;
  /** [N·3] surface points of object i. */
  points(i: number): Float32Array;
  /** Rendered views of object i (full size). */
  views(i: number): Promise<Thumb[]>;
  /** The value handed to the trainer. */
  readonly forTrainer: unknown;
  dispose(): void;
}

/** How a trainer reports to its host (the worker) and lets it in between steps. */
export interface TrainerHooks {
  onMetrics(m: StepMetrics): void;
  onFault(f: TrainFault): void;
  onState(s: { running: boolean; step: number }): void;
  /** Stores an autosaved checkpoint (every few steps and on pause). */
  persist(bytes: Uint8Array, step: number): Promise<void>;
  /** Called between steps while running: lets messages in and runs evaluation queued meanwhile. */
  breathe(): Promise<void>;
}

/**
 * The trainer with its run / pause / step controller (src/train/trainer.ts + session.ts), as
 * the worker drives it.
 */
export interface TrainerLike {
  readonly stepCount: number;
  readonly running: boolean;
  /** Starts training in the background; returns at once. */
  run(): void;
  /** Stops after the current step and autosaves. */
  pause(): Promise<void>;
  /** One step while paused. */
  stepOnce(): Promise<void>;
  /** Eval-mode projections of both branches for dataset objects. */
  embed(objectIndices: number[]): Promise<EmbeddingSet>;
  /** Eval-mode pooled (2·emb-d) point features of dataset objects: [n, F]. */
  features(objectIndices: number[]): Promise<Float32Array>;
  /** The same features of one cloud [N·3] that is not in the dataset (a user's file): [F]. */
  cloudFeatures(cloud: Float32Array): Promise<Float32Array>;
  saveCheckpoint(): Promise<Uint8Array>;
  loadCheckpoint(bytes: Uint8Array): Promise<void>;
  dispose(): void;
}

/** A user file read and resampled to a cloud of n points (throws a message naming the problem). */
export interface ReadShape {
  format: string;
  points: Float32Array;
  note: string;
  warnings: string[];
}

export interface Pieces {
  generateDataset?: (
    ctx: GpuContext,
    params: SampleSetParams,
    onProgress: (done: number, total: number, task: string) => void,
  ) => Promise<HostDataset>;
  readShape?: (name: string, bytes: Uint8Array, n: number, seed: number) => Promise<ReadShape>;
  createTrainer?: (
    ctx: GpuContext,
    config: TrainConfig,
    dataset: HostDataset,
    hooks: TrainerHooks,
  ) => Promise<TrainerLike>;
}

/** Any supported file → n points (a mesh is sampled on its surface; an HDF5 set gives its first cloud). */
async function readShape(name: string, bytes: Uint8Array, n: number, seed: number): Promise<ReadShape> {
  const loaded = await loadAny(name, bytes);
  const rng = new Rng(seed);
  if (isSet(loaded)) {
    const N = loaded.pointsPerCloud;
    const first = { points: loaded.points.subarray(0, N * 3) };
    const r = toPointCloud({ ...first, file: name, format: 'hdf5', properties: [], warnings: [] }, n, rng);
    return {
      format: 'hdf5',
      points: r.points,
      note: `the file holds ${loaded.count} clouds: the first one, ${r.note}`,
      warnings: loaded.warnings,
    };
  }
  const r = toPointCloud(loaded, n, rng);
  return { format: loaded.format, points: r.points, note: r.note, warnings: loaded.warnings };
}

export const pieces: Pieces = { readShape, generateDataset: generateSampleDataset, createTrainer };
