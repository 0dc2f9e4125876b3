import { describe, expect, it } from 'vitest';
import { DGCNN_REFERENCE, dgcnnParamSpecs } from './dgcnn-config';
import { initialiseParams, numel } from './param-spec';

describe('DGCNN parameter specs', () => {
  const specs = dgcnnParamSpecs(DGCNN_REFERENCE);
  it('list the 39 canonical tensors of the reference with its totals', () => {
    expect(specs).toHaveLength(39);
    const trainable = specs.filter((s) => s.trainable).reduce((t, s) => t + numel(s.shape), 0);
    const floats = specs.filter((s) => s.dtype === 'F32').reduce((t, s) => t + numel(s.shape), 0);
    expect(trainable).toBe(2_980_480);
    expect(floats).toBe(2_985_600);
    expect(specs.find((s) => s.name === 'conv1.0.weight')!.shape).toEqual([64, 6, 1, 1]);
    expect(specs.find((s) => s.name === 'conv5.0.weight')!.shape).toEqual([1024, 512, 1]);
    expect(specs.find((s) => s.name === 'inv_head.0.weight')!.shape).toEqual([1024, 2048]);
    expect(specs.find((s) => s.name === 'bn5.num_batches_tracked')!).toMatchObject({
      dtype: 'I64',
      shape: [],
    });
  });

  it('initialise like PyTorch: weights within ±1/√fan_in, BN ones/zeros, deterministic by seed', () => {
    const a = initialiseParams(specs, 1);
    const b = initialiseParams(specs, 1);
    const c = initialiseParams(specs, 2);
    const w = a.get('conv2.0.weight') as Float32Array;
    const bound = 1 / Math.sqrt(128);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect([...(a.get('bn3.weight') as Float32Array)].every((x) => x === 1)).toBe(true);
    expect([...(a.get('bn3.running_var') as Float32Array)].every((x) => x === 1)).toBe(true);
    expect([...(a.get('bn3.bias') as Float32Array)].every((x) => x === 0)).toBe(true);
    expect(a.get('inv_head.3.bias')).toEqual(b.get('inv_head.3.bias'));
    expect(a.get('inv_head.3.bias')).not.toEqual(c.get('inv_head.3.bias'));
  });
});
