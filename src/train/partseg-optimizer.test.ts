import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { BufferArena } from '../gpu/arena';
import { readF32, submitAndWait } from '../gpu/buffers';
import { adamRef } from '../kernels/adam.ref';
import { sgdRef } from '../kernels/sgd.ref';
import type { ParamSpec } from '../nn/param-spec';
import { ParamStore } from '../nn/param-store';
import { Rng } from '../util/random';
import {
  PARTSEG_OPTIMIZER_HYPER,
  type PartsegOptimizerName,
  partsegLr,
  planPartsegOptimizer,
} from './partseg-optimizer';

const gpu = setupGpu();

const spec = (name: string, n: number, trainable = true): ParamSpec => ({
  name,
  shape: [n],
  dtype: 'F32',
  trainable,
  init: 'zeros',
  fanIn: n,
  fanOut: n,
});

describe('part-segmentation optimiser (train_partseg.py)', () => {
  it('cosine from the initial lr to eta_min 1e-3 over the epochs', () => {
    expect(partsegLr('sgd', 0, 200)).toBeCloseTo(0.1, 12);
    expect(partsegLr('sgd', 100, 200)).toBeCloseTo((0.1 + 1e-3) / 2, 12);
    expect(partsegLr('sgd', 200, 200)).toBeCloseTo(1e-3, 12);
    // Adam starts at eta_min, so the reference's schedule keeps it constant.
    expect(partsegLr('adam', 57, 200)).toBeCloseTo(1e-3, 12);
  });

  it.each(['sgd', 'adam'] as PartsegOptimizerName[])(
    '%s: three epochs of one step each follow the float64 reference; state round-trips',
    async (name) => {
      const ctx = gpu();
      const arena = new BufferArena(ctx);
      const store = new ParamStore(ctx, arena, [
        spec('a', 5),
        spec('bn.running_mean', 3, false),
        spec('b', 300),
      ]);
      const rng = new Rng(5);
      const host = new Map<string, Float64Array>();
      const values = new Map<string, Float32Array>();
      for (const t of store.tensors.values()) {
        const v = rng.normalArray(t.n);
        values.set(t.spec.name, v);
        host.set(t.spec.name, Float64Array.from(v));
      }
      store.upload(values);
      const opt = await planPartsegOptimizer(ctx, arena, store, name);
      expect([...opt.names]).toEqual(['a', 'b']);
      const s1 = new Map([...host.keys()].map((k) => [k, new Float64Array(host.get(k)!.length)]));
      const s2 = new Map([...host.keys()].map((k) => [k, new Float64Array(host.get(k)!.length)]));
      const h = PARTSEG_OPTIMIZER_HYPER[name];
      for (let epoch = 0; epoch < 3; epoch++) {
        const lr = partsegLr(name, epoch, 3);
        for (const t of store.trainable()) {
          const g = rng.normalArray(t.n);
          ctx.device.queue.writeBuffer(t.grad!, 0, g);
          const th = host.get(t.spec.name)!;
          if (name === 'sgd')
            sgdRef(th, g, s1.get(t.spec.name)!, { lr, momentum: 0.9, weightDecay: h.weightDecay });
          else
            adamRef(th, g, s1.get(t.spec.name)!, s2.get(t.spec.name)!, epoch + 1, {
              lr,
              beta1: 0.9,
              beta2: 0.999,
              eps: 1e-8,
              weightDecay: h.weightDecay,
            });
        }
        opt.setStep(epoch + 1, lr);
        await submitAndWait(ctx, (enc) => opt.encode(enc));
      }
      for (const t of store.trainable()) {
        expectClose(await readF32(ctx, t.value, t.n), host.get(t.spec.name)!, 1e-6, 1e-5, t.spec.name);
      }
      // The untrained running statistic is left alone.
      expectClose(
        await readF32(ctx, store.value('bn.running_mean'), 3),
        host.get('bn.running_mean')!,
        0,
        0,
        'bn',
      );
      const saved = await opt.download();
      const kind = name === 'sgd' ? 'momentum_buffer' : 'exp_avg';
      expectClose(saved.get(`a.${kind}`)!, s1.get('a')!, 1e-6, 1e-5, `a.${kind}`);
      const zero = new Map([...saved].map(([k, v]) => [k, new Float32Array(v.length)]));
      opt.upload(zero);
      expect((await opt.download()).get(`b.${kind}`)!.every((x) => x === 0)).toBe(true);
      opt.destroy();
    },
  );
});
