import { describe, expect, it } from 'vitest';
import {
  appendEval,
  appendMetrics,
  decodeHistory,
  EMPTY_HISTORY,
  encodeHistory,
  historyUpTo,
  type MetricsHistory,
} from './metrics-history';
import type { StepMetrics } from './trainer-api';

const m = (step: number, lImid: number, lCmid: number): StepMetrics => ({
  step,
  epoch: 0,
  lImid,
  lCmid,
  loss: (Number.isNaN(lImid) ? 0 : lImid) + lCmid,
  lr: 1e-3,
  stepMs: 10,
  samplesPerSec: 1,
  gpuBytes: 0,
  etaSec: 0,
});

function run(steps: number, imidOff = false): MetricsHistory {
  let h = EMPTY_HISTORY;
  for (let s = 1; s <= steps; s++) h = appendMetrics(h, m(s, imidOff ? Number.NaN : 3 - s / 10, 4 - s / 7));
  return h;
}

describe('metrics history', () => {
  it('round-trips through its JSON, switched-off terms (NaN) and evaluations included', () => {
    let h = run(7, true);
    h = appendEval(h, { step: 3, simDiag: 0.4, simOff: 0.1 });
    h = appendEval(h, { step: 7, simDiag: 0.6, simOff: 0.05 });
    const back = decodeHistory(encodeHistory(h))!;
    expect(back.step).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(back.imid.every(Number.isNaN)).toBe(true);
    expect(back.cmid).toEqual(h.cmid);
    expect(back.loss).toEqual(h.loss);
    expect(back.stride).toBe(1);
    expect(back.evals).toEqual(h.evals);
  });

  it('a malformed history reads as none, not as an error', () => {
    expect(decodeHistory(undefined)).toBeUndefined();
    expect(decodeHistory('{not json')).toBeUndefined();
    expect(decodeHistory('[1,2]')).toBeUndefined();
    expect(
      decodeHistory(JSON.stringify({ step: [1, 2], imid: [1], cmid: [1, 2], loss: [1, 2], stride: 1 })),
    ).toBe(undefined);
    // Older histories without evaluations still read.
    expect(decodeHistory(JSON.stringify({ step: [1], imid: [1], cmid: [2], loss: [3], stride: 1 }))).toEqual({
      step: [1],
      imid: [1],
      cmid: [2],
      loss: [3],
      stride: 1,
    });
  });

  it('a step that goes back keeps the curve before it and drops the rest', () => {
    let h = appendEval(run(6), { step: 5, simDiag: 0.5, simOff: 0.2 });
    h = appendMetrics(h, m(4, 9, 9));
    expect(h.step).toEqual([1, 2, 3, 4]);
    expect(h.loss[3]).toBe(18);
    expect(h.evals).toEqual([]);
  });

  it('historyUpTo cuts at a step and leaves a history already within it as it is', () => {
    const h = run(5);
    expect(historyUpTo(h, 3).step).toEqual([1, 2, 3]);
    expect(historyUpTo(h, 3).cmid).toEqual(h.cmid.slice(0, 3));
    expect(historyUpTo(h, 9)).toBe(h);
  });
});
