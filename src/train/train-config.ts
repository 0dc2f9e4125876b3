/**
 * The one place a training configuration is defaulted and checked: the page's form, the
 * `crosspoint pretrain` command and the Trainer all call validateTrainConfig / resolveConfig, so
 * a value the kernels cannot run (k = 40, a batch of 1) is refused where it is typed, with the
 * reason, instead of failing later on the GPU.
 */
// knn-limits, not knn: the page's training form imports this file, and knn.ts pulls in its WGSL.
import { KNN_MAX_K, KNN_MAX_POINTS, kProblem } from '../kernels/knn-limits';
import { InputError } from '../util/errors';
import { getPreset, type Preset, PRESET_NAMES } from './presets';
import type { LossTerms, TrainConfig } from './trainer-api';

/** The preset with the config's overrides applied (the defaults: the preset's values). */
export interface ResolvedConfig extends Preset {
  seed: number;
  losses: LossTerms;
  augment: boolean;
  encoder: 'dgcnn' | 'dgcnn_seg';
}

export function resolveConfig(c: TrainConfig): ResolvedConfig {
  const p = getPreset(c.preset);
  return {
    ...p,
    batch: c.batch ?? p.batch,
    lr: c.lr ?? p.lr,
    weightDecay: c.weightDecay ?? p.weightDecay,
    epochs: c.epochs ?? p.epochs,
    temperature: c.temperature ?? p.temperature,
    points: c.model?.points ?? p.points,
    imageSize: c.model?.imageSize ?? p.imageSize,
    dgcnn: { ...p.dgcnn, ...c.model?.dgcnn, k: c.k ?? p.dgcnn.k },
    resnet: { ...p.resnet, ...c.model?.resnet },
    seed: c.seed,
    losses: c.losses ?? { imid: true, cmid: true },
    augment: c.augment ?? true,
    encoder: c.encoder ?? 'dgcnn',
  };
}

/**
 * `c` with every training setting written out (the preset's value where `c` left it blank), so a
 * checkpoint reproduces the run even if a preset's defaults change later.
 */
export function explicitConfig(c: TrainConfig): TrainConfig {
  const r = resolveConfig(c);
  return {
    ...c,
    batch: r.batch,
    lr: r.lr,
    weightDecay: r.weightDecay,
    epochs: r.epochs,
    temperature: r.temperature,
    k: r.dgcnn.k,
    losses: r.losses,
    checkpointEvery: c.checkpointEvery ?? 0,
  };
}

/** What is known of the training data, when it is known: the limits that depend on it. */
export interface DataFacts {
  /** Objects in the training split (a batch draws from it). */
  trainObjects?: number;
  /** Points stored per cloud (the model uses the first N). */
  pointsPerCloud?: number;
  /** Side of the rendered views. */
  imageSize?: number;
}

/** An inclusive integer range, and what sets its upper end. */
export interface Limit {
  min: number;
  max: number;
  /** Why max is what it is, for the message ("the kNN kernel", "the training split"...). */
  why: string;
}

export interface TrainLimits {
  batch: Limit;
  k: Limit;
  points: Limit;
}

/** The limits of the integer settings under `c`'s preset and point count (and the data, if known). */
export function trainLimits(c: TrainConfig, data: DataFacts = {}): TrainLimits {
  const preset = PRESET_NAMES.includes(c.preset) ? getPreset(c.preset) : getPreset('tiny');
  const points = c.model?.points ?? preset.points;
  const pointsMax = Math.min(KNN_MAX_POINTS, data.pointsPerCloud ?? Number.POSITIVE_INFINITY);
  const kFromPoints = Number.isInteger(points) && points >= 1 && points < KNN_MAX_K;
  return {
    // NT-Xent needs a negative for every anchor, so at least 2 objects.
    batch:
      data.trainObjects === undefined
        ? { min: 2, max: Number.POSITIVE_INFINITY, why: '' }
        : { min: 2, max: data.trainObjects, why: 'the objects in the training split' },
    k: kFromPoints
      ? { min: 1, max: points, why: `the ${points} points per cloud` }
      : { min: 1, max: KNN_MAX_K, why: `the kNN kernel keeps at most ${KNN_MAX_K} neighbours` },
    points: {
      min: 1,
      max: pointsMax,
      why:
        pointsMax === KNN_MAX_POINTS
          ? `the kNN kernel handles at most ${KNN_MAX_POINTS} points`
          : 'the points stored per cloud',
    },
  };
}

/** A setting that cannot be used, and why (the message is written for the person who set it). */
export interface ConfigProblem {
  field:
    | 'preset'
    | 'seed'
    | 'batch'
    | 'lr'
    | 'weightDecay'
    | 'temperature'
    | 'k'
    | 'epochs'
    | 'checkpointEvery'
    | 'losses'
    | 'points'
    | 'imageSize';
  message: string;
}

function rangeText(l: Limit): string {
  if (l.max === Number.POSITIVE_INFINITY) return `an integer ≥ ${l.min}`;
  return `an integer from ${l.min} to ${l.max} (${l.why})`;
}

/** Every problem of `c` (an empty list: it can be trained), on `data` when given. */
export function validateTrainConfig(c: TrainConfig, data: DataFacts = {}): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (field: ConfigProblem['field'], message: string) => out.push({ field, message });
  if (!PRESET_NAMES.includes(c.preset)) {
    add('preset', `Preset must be one of ${PRESET_NAMES.join(', ')} (got "${c.preset}")`);
    return out;
  }
  if (!Number.isInteger(c.seed) || c.seed < 0) add('seed', 'Seed must be an integer ≥ 0');
  const r = resolveConfig(c);
  const lim = trainLimits(c, data);
  const inRange = (v: number, l: Limit) => Number.isInteger(v) && v >= l.min && v <= l.max;
  if (!inRange(r.batch, lim.batch)) add('batch', `Batch must be ${rangeText(lim.batch)}`);
  if (!(r.lr > 0)) add('lr', 'Learning rate must be positive');
  if (!(r.weightDecay >= 0)) add('weightDecay', 'Weight decay must be ≥ 0');
  if (!(r.temperature > 0)) add('temperature', 'Temperature must be positive');
  if (!inRange(r.points, lim.points)) add('points', `Points per cloud must be ${rangeText(lim.points)}`);
  // The one k rule (kernels/knn-limits.ts); trainLimits' k only bounds the form's input.
  const kWhy = kProblem(r.dgcnn.k, r.points);
  if (kWhy) add('k', kWhy);
  if (!Number.isInteger(r.epochs) || r.epochs < 1) add('epochs', 'Epochs must be a positive integer');
  const every = c.checkpointEvery ?? 0;
  if (!Number.isInteger(every) || every < 0) add('checkpointEvery', 'Autosave every must be an integer ≥ 0');
  if (!r.losses.imid && !r.losses.cmid) add('losses', 'At least one loss term must be on');
  if (data.imageSize !== undefined && data.imageSize !== r.imageSize) {
    add('imageSize', `The views are ${data.imageSize}×${data.imageSize} but the preset needs ${r.imageSize}`);
  }
  return out;
}

/** A configuration that cannot be trained: every problem, one per line. */
export class TrainConfigError extends InputError {
  override name = 'TrainConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

/** validateTrainConfig, throwing TrainConfigError when anything is wrong; the resolved config otherwise. */
export function checkTrainConfig(c: TrainConfig, data: DataFacts = {}): ResolvedConfig {
  const problems = validateTrainConfig(c, data);
  if (problems.length) throw new TrainConfigError(problems);
  return resolveConfig(c);
}
