/**
 * Pure state logic of the page (no React, no worker): the loss history the curves draw, the
 * training speed, and the TrainConfig built from the form. Unit-tested in model.test.ts.
 */
import { type DataFacts, validateTrainConfig } from '../train/train-config';
import type { StepMetrics, TrainConfig } from '../train/trainer-api';
import { DEFAULT_URL_STATE, type UrlState } from './url-state';

/** Loss curves, thinned to at most `cap` points: when full, every other point is dropped. */
export interface LossHistory {
  step: number[];
  imid: number[];
  cmid: number[];
  loss: number[];
  /** Only steps that are multiples of this are kept (doubles on each thinning). */
  stride: number;
}

export const EMPTY_HISTORY: LossHistory = { step: [], imid: [], cmid: [], loss: [], stride: 1 };

export function appendMetrics(h: LossHistory, m: StepMetrics, cap = 1000): LossHistory {
  const last = h.step[h.step.length - 1];
  if (last !== undefined && m.step <= last) {
    // A restart from an earlier step (Reset, checkpoint load): the old curve no longer applies.
    h = EMPTY_HISTORY;
  }
  if (m.step % h.stride !== 0 && h.step.length > 0) return h;
  let next: LossHistory = {
    step: [...h.step, m.step],
    imid: [...h.imid, m.lImid],
    cmid: [...h.cmid, m.lCmid],
    loss: [...h.loss, m.loss],
    stride: h.stride,
  };
  if (next.step.length > cap) {
    const stride = next.stride * 2;
    const keep = next.step.map((s, i) => (s % stride === 0 || i === 0 ? i : -1)).filter((i) => i >= 0);
    const pick = (a: number[]) => keep.map((i) => a[i]!);
    next = {
      step: pick(next.step),
      imid: pick(next.imid),
      cmid: pick(next.cmid),
      loss: pick(next.loss),
      stride,
    };
  }
  return next;
}

/** Steps per second, smoothed over recent steps (exponential moving average of the step time). */
export function smoothStepMs(prev: number | null, stepMs: number, alpha = 0.2): number {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) return prev ?? Number.NaN;
  return prev === null || !Number.isFinite(prev) ? stepMs : prev + alpha * (stepMs - prev);
}

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

/** Whether two configs would build the same trainer. */
export function sameConfig(a: TrainConfig | null, b: TrainConfig | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
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
