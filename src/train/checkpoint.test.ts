import { describe, expect, it } from 'vitest';
import { biasSpec, type ParamSpec, weightSpec } from '../nn/param-spec';
import { writeSafetensors } from '../io/safetensors';
import { type CheckpointState, checkpointSettings, decodeCheckpoint, encodeCheckpoint } from './checkpoint';
import { appendEval, appendMetrics, EMPTY_HISTORY } from './metrics-history';

// A two-tensor stand-in for each model: the checkpoint format does not depend on the networks.
const POINT: ParamSpec[] = [weightSpec('conv1.0.weight', [2, 3, 1, 1]), biasSpec('inv_head.0.bias', 2, 3)];
const IMAGE: ParamSpec[] = [weightSpec('resnet.conv1.weight', [2, 1, 1, 1])];
const specsFor = () => ({ point: POINT, image: IMAGE });

function state(): CheckpointState {
  const filled = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => k + i / 8);
  return {
    config: { preset: 'first-look', seed: 4 },
    step: 3,
    rng: [1, 2, 3, 4],
    point: new Map([
      ['conv1.0.weight', filled(6, 1)],
      ['inv_head.0.bias', filled(2, 2)],
    ]),
    image: new Map([['resnet.conv1.weight', filled(2, 3)]]),
    exp_avg: new Map([['point_model.conv1.0.weight', filled(6, 4)]]),
    exp_avg_sq: new Map([['point_model.conv1.0.weight', filled(6, 5)]]),
  };
}

describe('checkpoint metrics history', () => {
  it('a checkpoint carries the curves and gives them back with the weights', () => {
    let history = EMPTY_HISTORY;
    for (const [step, loss] of [
      [1, 5.5],
      [2, 5.25],
      [3, 4.75],
    ] as const) {
      history = appendMetrics(history, {
        step,
        epoch: 0,
        lImid: Number.NaN,
        lCmid: loss,
        loss,
        lr: 1e-3,
        stepMs: 1,
        samplesPerSec: 1,
        gpuBytes: 0,
        etaSec: 0,
      });
    }
    history = appendEval(history, { step: 3, simDiag: 0.3, simOff: 0.1 });
    const back = decodeCheckpoint(encodeCheckpoint({ ...state(), history }, POINT, IMAGE), specsFor);
    expect(back.history?.step).toEqual([1, 2, 3]);
    expect(back.history?.loss).toEqual([5.5, 5.25, 4.75]);
    expect(back.history?.imid.every(Number.isNaN)).toBe(true);
    expect(back.history?.evals).toEqual([{ step: 3, simDiag: 0.3, simOff: 0.1 }]);
    expect(back.step).toBe(3);
    expect([...back.point.get('conv1.0.weight')!]).toEqual([...state().point.get('conv1.0.weight')!]);
  });

  it('a checkpoint written without a history (older files) still loads, with none', () => {
    const back = decodeCheckpoint(encodeCheckpoint(state(), POINT, IMAGE), specsFor);
    expect(back.history).toBeUndefined();
    expect(back.step).toBe(3);
    expect(back.rng).toEqual([1, 2, 3, 4]);
  });
});

describe('checkpoint settings', () => {
  it('the header alone gives the run’s settings and step; other bytes give nothing', () => {
    const config = {
      preset: 'first-look' as const,
      seed: 4,
      epochs: 45,
      lr: 0.003,
      data: { name: 'sample set', source: 'sample', counts: [6, 6] },
    };
    const bytes = encodeCheckpoint({ ...state(), config }, POINT, IMAGE);
    expect(checkpointSettings(bytes)).toEqual({ config, step: 3 });
    expect(checkpointSettings(bytes.subarray(0, 20))).toBeUndefined();
    expect(checkpointSettings(new Uint8Array(3))).toBeUndefined();
    expect(checkpointSettings(writeSafetensors(new Map(), { format: 'other' }))).toBeUndefined();
  });
});
