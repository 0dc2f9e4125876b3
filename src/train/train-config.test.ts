import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { KNN_MAX_K } from '../kernels/knn-limits';
import { PRESETS } from './presets';
import {
  checkTrainConfig,
  resolveConfig,
  TrainConfigError,
  trainLimits,
  validateTrainConfig,
} from './train-config';
import type { TrainConfig } from './trainer-api';

const tiny: TrainConfig = { preset: 'tiny', seed: 1 };
const fields = (c: TrainConfig, data = {}) => validateTrainConfig(c, data).map((p) => p.field);

describe('the training config check', () => {
  it('defaults every blank setting to the preset and accepts the presets as they are', () => {
    for (const name of ['tiny', 'small', 'paper'] as const) {
      expect(validateTrainConfig({ preset: name, seed: 0 })).toEqual([]);
      const r = resolveConfig({ preset: name, seed: 4 });
      expect(r.batch).toBe(PRESETS[name].batch);
      expect(r.dgcnn.k).toBe(PRESETS[name].dgcnn.k);
      expect(r.losses).toEqual({ imid: true, cmid: true });
      expect(r.augment).toBe(true);
    }
    expect(resolveConfig({ ...tiny, k: 7, batch: 3 })).toMatchObject({ batch: 3, dgcnn: { k: 7 } });
  });

  it("refuses k above the kNN kernel's limit with the reason, and k above the point count", () => {
    const [p] = validateTrainConfig({ ...tiny, k: KNN_MAX_K + 1 });
    expect(p).toEqual({
      field: 'k',
      message: `k = ${KNN_MAX_K + 1} is above the kNN kernel's maximum of ${KNN_MAX_K} neighbours`,
    });
    expect(fields({ ...tiny, k: KNN_MAX_K })).toEqual([]);
    expect(validateTrainConfig({ ...tiny, k: 9, model: { points: 8 } }).map((x) => x.message)).toEqual([
      '8 points per cloud are fewer than k = 9 neighbours',
    ]);
    expect(fields({ ...tiny, k: 0 })).toEqual(['k']);
    expect(fields({ ...tiny, k: 2.5 })).toEqual(['k']);
    expect(trainLimits(tiny).k).toMatchObject({ min: 1, max: KNN_MAX_K });
  });

  it('limits the batch by the training split when the data is known, and the points by the stored clouds', () => {
    expect(trainLimits(tiny).batch.max).toBe(Number.POSITIVE_INFINITY);
    expect(fields({ ...tiny, batch: 1 })).toEqual(['batch']);
    expect(fields({ ...tiny, batch: 30 }, { trainObjects: 26 })).toEqual(['batch']);
    expect(fields({ ...tiny, batch: 26 }, { trainObjects: 26 })).toEqual([]);
    expect(validateTrainConfig(tiny, { pointsPerCloud: 128 }).map((x) => x.message)).toEqual([
      'Points per cloud must be an integer from 1 to 128 (the points stored per cloud)',
    ]);
    expect(fields(tiny, { imageSize: 64 })).toEqual(['imageSize']);
  });

  it('names every bad setting at once; checkTrainConfig throws them as one input error', () => {
    const bad: TrainConfig = {
      ...tiny,
      lr: Number.NaN,
      weightDecay: -1,
      temperature: 0,
      epochs: 0,
      checkpointEvery: -2,
      losses: { imid: false, cmid: false },
    };
    expect(fields(bad)).toEqual(['lr', 'weightDecay', 'temperature', 'epochs', 'checkpointEvery', 'losses']);
    expect(() => checkTrainConfig(bad)).toThrow(TrainConfigError);
    expect(() => checkTrainConfig(bad)).toThrow(/Learning rate must be positive; Weight decay must be ≥ 0/);
    expect(fields({ preset: 'huge' as 'tiny', seed: 1 })).toEqual(['preset']);
    expect(checkTrainConfig({ ...tiny, k: 5 }).dgcnn.k).toBe(5);
  });

  it("crosspoint pretrain --help gives each preset's own defaults", () => {
    const r = crosspoint(['pretrain', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    type Pick = (p: (typeof PRESETS)['tiny']) => number;
    const each = (f: Pick) =>
      (['first-look', 'tiny', 'small', 'paper'] as const).map((n) => `${n} ${f(PRESETS[n])}`).join(', ');
    const picks: Pick[] = [(p) => p.epochs, (p) => p.lr, (p) => p.batch, (p) => p.dgcnn.k];
    for (const f of picks) expect(help).toContain(`(default: the preset's: ${each(f)})`);
    expect(help).toContain('first-look 0.002, tiny 0.001');
  });

  it('crosspoint pretrain refuses k above the maximum before building anything: exit 2, one line', () => {
    const r = crosspoint(['pretrain', '--k', String(KNN_MAX_K + 1), '--out', '/nonexistent/x.safetensors']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `crosspoint pretrain: k = ${KNN_MAX_K + 1} is above the kNN kernel's maximum of ${KNN_MAX_K} neighbours`,
    );
  });
});
