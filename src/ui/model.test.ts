import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../train/trainer-api';
import {
  appendMetrics,
  DEFAULT_HYPER,
  EMPTY_HISTORY,
  hyperErrors,
  type LossHistory,
  smoothStepMs,
  trainConfigFrom,
} from './model';
import { formatAccuracy, formatDuration, formatLoss, formatRate } from './format';

const m = (step: number, loss = step): StepMetrics => ({
  step,
  epoch: 0,
  lImid: loss / 2,
  lCmid: loss / 2,
  loss,
  lr: 1e-3,
  stepMs: 100,
  samplesPerSec: 80,
  gpuBytes: 0,
  etaSec: 0,
});

describe('loss history', () => {
  it('appends each step’s three losses', () => {
    const h = appendMetrics(appendMetrics(EMPTY_HISTORY, m(1, 4)), m(2, 3));
    expect(h.step).toEqual([1, 2]);
    expect(h.loss).toEqual([4, 3]);
    expect(h.imid).toEqual([2, 1.5]);
  });
  it('thins to the cap by doubling the stride, keeping the curve’s span', () => {
    let h: LossHistory = EMPTY_HISTORY;
    for (let s = 1; s <= 100; s++) h = appendMetrics(h, m(s), 10);
    expect(h.step.length).toBeLessThanOrEqual(10);
    expect(h.step[0]).toBe(1);
    expect(h.stride).toBeGreaterThan(1);
    expect(h.step.slice(1).every((s) => s % h.stride === 0)).toBe(true);
    expect(h.step[h.step.length - 1]).toBeGreaterThan(90);
  });
  it('starts over when the step goes back (reset or checkpoint load)', () => {
    let h = appendMetrics(appendMetrics(EMPTY_HISTORY, m(5)), m(6));
    h = appendMetrics(h, m(1));
    expect(h.step).toEqual([1]);
  });
});

describe('speed', () => {
  it('smooths step times and ignores junk', () => {
    expect(smoothStepMs(null, 100)).toBe(100);
    expect(smoothStepMs(100, 200, 0.5)).toBe(150);
    expect(smoothStepMs(100, Number.NaN)).toBe(100);
    expect(formatRate(250)).toBe('4.00');
    expect(formatRate(20)).toBe('50.0');
    expect(formatRate(4000)).toBe('0.25');
    expect(formatRate(null)).toBe('—');
  });
});

describe('train config from the form', () => {
  it('uses the preset for blank fields and the URL for preset and seed', () => {
    expect(trainConfigFrom({ preset: 'tiny', seed: 3 }, DEFAULT_HYPER)).toEqual({
      preset: 'tiny',
      seed: 3,
      checkpointEvery: 25,
    });
    const c = trainConfigFrom(
      { preset: 'small', seed: 1 },
      { ...DEFAULT_HYPER, lr: '0.002', batch: '12', cmid: false },
    );
    expect(c).toMatchObject({ preset: 'small', lr: 0.002, batch: 12, losses: { imid: true, cmid: false } });
  });
  it('names the fields that do not parse', () => {
    // The limits come from the training config's check: k = 80 is refused here, with the reason.
    expect(hyperErrors({ ...DEFAULT_HYPER, k: '80' })).toEqual([
      "k = 80 is above the kNN kernel's maximum of 64 neighbours",
    ]);
    expect(
      hyperErrors({ ...DEFAULT_HYPER, batch: '30' }, { preset: 'tiny', seed: 1 }, { trainObjects: 26 }),
    ).toEqual(['Batch must be an integer from 2 to 26 (the objects in the training split)']);
    expect(hyperErrors({ ...DEFAULT_HYPER, k: 'many' })[0]).toMatch(/^k must be a positive integer/);
    expect(hyperErrors(DEFAULT_HYPER)).toEqual([]);
    const errs = hyperErrors({ ...DEFAULT_HYPER, lr: 'fast', batch: '1', imid: false, cmid: false });
    expect(errs).toEqual([
      'Batch must be an integer ≥ 2',
      'Learning rate must be positive',
      'At least one loss term must be on',
    ]);
  });
});

describe('formatting', () => {
  it('formats losses, durations and accuracies', () => {
    expect(formatLoss(Number.NaN)).toBe('—');
    expect(formatLoss(2.345678)).toBe('2.3457');
    expect(formatLoss(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatAccuracy(0.625, 0.041)).toBe('62.5 ± 4.1 %');
  });
});
