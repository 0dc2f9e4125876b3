/**
 * Pure state logic of the page (no React, no worker): the loss history the curves draw, the
 * training speed, and the TrainConfig built from the form. Unit-tested in model.test.ts.
 */
import { type DataFacts, explicitConfig, validateTrainConfig } from '../train/train-config';
import type { TrainConfig } from '../train/trainer-api';
import { DEFAULT_URL_STATE, type UrlState } from './url-state';

/** The curves' history lives with the trainer (it travels in checkpoints); the page keeps a copy. */
export {
  appendMetrics,
  EMPTY_HISTORY,
  type MetricsHistory as LossHistory,
} from '../train/metrics-history';

/** Steps per second, smoothed over recent steps (exponential moving average of the step time). */
export function smoothStepMs(prev: number | null, stepMs: number, alpha = 0.2): number {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) return prev ?? Number.NaN;
  return prev === null || !Number.isFinite(prev) ? stepMs : prev + alpha * (stepMs - prev);
}

/** The sample set's size in the Data panel (points and image size follow the preset). */
export interface SampleForm {
  perClass: number;
  views: number;
}

/** Sample-set size (points and image size follow the preset, src/train/presets.ts). */
export const DEFAULT_SAMPLE: SampleForm = { perClass: 8, views: 4 };

/** Hyper-parameters in the Training form (blank = the preset's value). */
export interface HyperForm {
  batch: string;
  lr: string;
  weightDecay: string;
  temperature: string;
  k: string;
  epochs: string;
  imid: boolean;
  cmid: boolean;
  checkpointEvery: string;
}

export const DEFAULT_HYPER: HyperForm = {
  batch: '',
  lr: '',
  weightDecay: '',
  temperature: '',
  k: '',
  epochs: '',
  imid: true,
  cmid: true,
  checkpointEvery: '25',
};

/**
 * What is wrong with the form, one message per setting (src/train/train-config.ts decides, the
 * same check the trainer makes): a blank field is the preset's value, text that is not a number
 * is refused like a value out of range. `data`: the sample set's sizes when one exists.
 */
export function hyperErrors(
  f: HyperForm,
  url: Pick<UrlState, 'preset' | 'seed'> = DEFAULT_URL_STATE,
  data: DataFacts = {},
): string[] {
  return validateTrainConfig(trainConfigFrom(url, f), data).map((p) => p.message);
}

/** The Training form showing a run's settings (every field the config sets; blank otherwise). */
export function hyperFromConfig(c: TrainConfig): HyperForm {
  const str = (v: number | undefined) => (v === undefined ? '' : String(v));
  return {
    batch: str(c.batch),
    lr: str(c.lr),
    weightDecay: str(c.weightDecay),
    temperature: str(c.temperature),
    k: str(c.k),
    epochs: str(c.epochs),
    imid: c.losses?.imid ?? true,
    cmid: c.losses?.cmid ?? true,
    checkpointEvery:
      c.checkpointEvery === undefined ? DEFAULT_HYPER.checkpointEvery : String(c.checkpointEvery),
  };
}

export function trainConfigFrom(url: Pick<UrlState, 'preset' | 'seed'>, f: HyperForm): TrainConfig {
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const c: TrainConfig = { preset: url.preset, seed: url.seed };
  const set = <K extends keyof TrainConfig>(k: K, v: TrainConfig[K] | undefined) => {
    if (v !== undefined) c[k] = v;
  };
  set('batch', num(f.batch));
  set('lr', num(f.lr));
  set('weightDecay', num(f.weightDecay));
  set('temperature', num(f.temperature));
  set('k', num(f.k));
  set('epochs', num(f.epochs));
  if (!f.imid || !f.cmid) c.losses = { imid: f.imid, cmid: f.cmid };
  set('checkpointEvery', num(f.checkpointEvery));
  return c;
}

/**
 * Whether two configs train the same run: every setting written out (a blank field equals the
 * preset's value), the data set's identity aside (it describes the data, the form does not set it).
 */
export function sameConfig(a: TrainConfig | null, b: TrainConfig | null): boolean {
  if (a === null || b === null) return a === b;
  const settings = (c: TrainConfig) => {
    const { data: _data, ...rest } = explicitConfig(c);
    return JSON.stringify(Object.entries(rest).sort(([x], [y]) => (x < y ? -1 : 1)));
  };
  return settings(a) === settings(b);
}

/** Per-class counts for the bar list of the Data panel, largest class first within equal splits. */
export function classRows(classes: string[], train: number[], test: number[]) {
  return classes.map((name, label) => ({
    label,
    name,
    train: train[label] ?? 0,
    test: test[label] ?? 0,
  }));
}
