import { describe, expect, it } from 'vitest';
import { toRefParams } from '../../test/encoder-testing';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { PARTSEG_TINY, randomPartSegValues } from '../../test/partseg-testing';
import type { PartsegSet } from '../data/partseg-set';
import { smoothedCeRef } from '../kernels/smoothed_ce.ref';
import { sgdRef } from '../kernels/sgd.ref';
import { oneHotRef, partSegBackwardRef, partSegForwardRef } from '../nn/dgcnn-partseg.ref';
import type { PartSegConfig } from '../nn/dgcnn-partseg-config';
import { Rng } from '../util/random';
import { partsegScores } from './part-iou';
import { partsegLr } from './partseg-optimizer';
import { type PartsegRunConfig, PartsegTrainer } from './partseg-trainer';

const gpu = setupGpu();
const N = 16;

/** S clouds of N random points, all Airplanes (parts 0..3, the tiny model's 4 outputs). */
function airplanes(S: number, seed: number): PartsegSet {
  const rng = new Rng(seed);
  return {
    source: `airplanes ${seed}`,
    S,
    N,
    points: rng.uniformArray(S * N * 3, -1, 1),
    categories: new Int32Array(S),
    parts: Int32Array.from({ length: S * N }, () => rng.int(4)),
    notes: [],
  };
}

const run = (model: PartSegConfig, o: Partial<PartsegRunConfig> = {}): PartsegRunConfig => ({
  model,
  batch: 3,
  points: N,
  epochs: 4,
  seed: 5,
  optimizer: 'sgd',
  augment: true,
  ...o,
});

/** Clouds [S·N·3] point-major → [S, 3, N]. */
function channelMajor(set: PartsegSet): Float32Array {
  const x = new Float32Array(set.S * 3 * N);
  for (let s = 0; s < set.S; s++)
    for (let i = 0; i < N; i++)
      for (let k = 0; k < 3; k++) x[(s * 3 + k) * N + i] = set.points[(s * N + i) * 3 + k]!;
  return x;
}

describe('part-segmentation trainer', () => {
  it('one step equals the float64 model, smoothed cross-entropy and SGD with momentum and weight decay', async () => {
    const ctx = gpu();
    const c: PartSegConfig = { ...PARTSEG_TINY, dropout: 0 };
    const train = airplanes(3, 1);
    const values = randomPartSegValues(c, 2);
    // Scale/shift off; the shuffled batch and point order do not change a step (BN and the sums are
    // order-free), so the reference runs on the set as it is.
    const t = await PartsegTrainer.create(ctx, run(c, { augment: false }), train, values);
    const e = await t.trainEpoch();
    const p = toRefParams(values);
    const x = channelMajor(train);
    const onehot = oneHotRef(train.categories, c.categories);
    const f = partSegForwardRef(c, 3, N, x, onehot, p, 'train');
    const ce = smoothedCeRef(f.logits, train.parts, 3, c.parts, N);
    expect(e.loss).toBeCloseTo(ce.loss, 5);
    const { grads } = partSegBackwardRef(c, 3, N, x, p, f, ce.grad, 'train');
    const after = await t.values();
    const lr = partsegLr('sgd', 0, 4);
    for (const [name, g] of grads) {
      const theta = Float64Array.from(values.get(name) as Float32Array);
      sgdRef(theta, g, new Float64Array(theta.length), { lr, momentum: 0.9, weightDecay: 1e-4 });
      expectClose(after.get(name) as Float32Array, theta, 2e-5, 2e-4, name);
    }
    expect(grads.size).toBeGreaterThan(20);
    t.destroy();
  }, 600_000); // the first test compiles every pipeline of the model (slow on a busy SwiftShader)

  it('resuming from a checkpoint continues exactly as an uninterrupted run', async () => {
    const ctx = gpu();
    const train = airplanes(7, 3); // 2 full batches of 3 per epoch, the 7th cloud dropped
    const test = airplanes(4, 4);
    const values = randomPartSegValues(PARTSEG_TINY, 6);
    const a = await PartsegTrainer.create(ctx, run(PARTSEG_TINY), train, values);
    expect(a.stepsPerEpoch).toBe(2);
    for (let i = 0; i < 2; i++) await a.runEpoch(test);
    const straight = await a.values();
    const history = a.history.map((h) => ({ ...h, trainSeconds: 0, testSeconds: 0 }));
    a.destroy();

    const b = await PartsegTrainer.create(ctx, run(PARTSEG_TINY), train, values);
    await b.runEpoch(test);
    const ckpt = await b.checkpoint();
    b.destroy();
    const c = await PartsegTrainer.create(
      ctx,
      run(PARTSEG_TINY),
      train,
      randomPartSegValues(PARTSEG_TINY, 99),
    );
    c.restore(ckpt);
    expect([c.epoch, c.step]).toEqual([1, 2]);
    await c.runEpoch(test);
    const resumed = await c.values();
    for (const [name, v] of straight) {
      if (v instanceof Float32Array) expectClose(resumed.get(name) as Float32Array, v, 0, 0, name);
    }
    expect(c.history.map((h) => ({ ...h, trainSeconds: 0, testSeconds: 0 }))).toEqual(history);
    c.destroy();
  });

  it('evaluation over a padded last batch scores the eval-mode forward of every cloud once', async () => {
    const ctx = gpu();
    const train = airplanes(3, 7);
    const test = airplanes(5, 8); // batches of 3: 3 + 2 (one padded row)
    const values = randomPartSegValues(PARTSEG_TINY, 9);
    const t = await PartsegTrainer.create(ctx, run(PARTSEG_TINY), train, values);
    const ev = await t.evaluate(test);
    const f = partSegForwardRef(
      PARTSEG_TINY,
      5,
      N,
      channelMajor(test),
      oneHotRef(test.categories, PARTSEG_TINY.categories),
      toRefParams(values),
      'eval',
    );
    const ce = smoothedCeRef(f.logits, test.parts, 5, PARTSEG_TINY.parts, N);
    expect(ev.loss).toBeCloseTo(ce.loss, 5);
    expect([...ev.pred]).toEqual([...ce.pred]);
    const s = partsegScores(ce.pred, test.parts, test.categories, N);
    expect(ev.instanceMiou).toBeCloseTo(s.instanceMiou, 12);
    expect(ev.accuracy).toBeCloseTo(s.accuracy, 12);
    t.destroy();
  });
});
