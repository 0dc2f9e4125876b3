import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose, expectGradientMatchesDifferences } from '../../test/numeric';
import { BufferArena } from '../gpu/arena';
import { readF32, readU32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { BatchNormMode } from '../kernels/batchnorm';
import { Rng } from '../util/random';
import {
  expectArenaMatchesSpecs,
  expectGrads,
  randomModelValues,
  toRefParams,
} from '../../test/encoder-testing';
import { numel } from './param-spec';
import { createPointNet, POINTNET_REFERENCE, type PointNetConfig, pointnetParamSpecs } from './pointnet';
import { pointnetBackwardRef, pointnetForwardRef } from './pointnet.ref';

const gpu = setupGpu();

const C: PointNetConfig = { widths: [8, 8, 12, 16], emb: 24, headHidden: 20, proj: 12 };
const B = 3;
const N = 37;

async function run(mode: BatchNormMode, seed: number, featureGrad = false) {
  const ctx = gpu();
  const arena = new BufferArena(ctx);
  const enc = await createPointNet(ctx, arena, C, { batch: B, points: N, inputGrad: true, featureGrad });
  const v = randomModelValues(enc.params.specs, seed);
  enc.params.upload(v);
  const rng = new Rng(seed + 5);
  const x = rng.normalArray(B * 3 * N);
  const dp = rng.uniformArray(B * C.proj);
  const df = rng.uniformArray(B * C.emb);
  writeBuffer(ctx, enc.input, x);
  writeBuffer(ctx, enc.dProjections!, dp);
  if (featureGrad) writeBuffer(ctx, enc.dFeatures!, df);
  await submitAndWait(ctx, (e) => {
    enc.encodeForward(e, mode);
    enc.encodeBackward(e);
  });
  const out = {
    features: await readF32(ctx, enc.features, B * C.emb),
    projections: await readF32(ctx, enc.projections, B * C.proj),
    dInput: await readF32(ctx, enc.dInput!, B * 3 * N),
    dFeatures: await readF32(ctx, enc.dFeatures!, B * C.emb),
    grads: await enc.params.downloadGrads(),
    state: await enc.params.download(),
    poolArg: await readU32(ctx, arena.get('point.pool.arg'), B * C.emb),
  };
  return { ctx, arena, enc, v, x, dp, df, out };
}

describe('PointNet encoder (matmul, batchnorm, activation, pooling shaders)', () => {
  it('has the reference tensor set (conv1..5, bn1..5, inv_head with biases)', () => {
    const specs = pointnetParamSpecs(POINTNET_REFERENCE);
    expect(specs.map((s) => s.name).slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((l) => `conv${l}.weight`));
    expect(specs.find((s) => s.name === 'conv5.weight')!.shape).toEqual([1024, 128, 1]);
    expect(specs.find((s) => s.name === 'inv_head.0.weight')!.shape).toEqual([512, 1024]);
    expect(specs).toHaveLength(5 + 25 + 2 + 5 + 2);
    // 3·64 + 64·64 + 64·64 + 64·128 + 128·1024 + BN affine 2·(64+64+64+128+1024) + head
    const trainable = specs.filter((s) => s.trainable).reduce((t, s) => t + numel(s.shape), 0);
    expect(trainable).toBe(
      192 + 4096 + 4096 + 8192 + 131072 + 2 * 1344 + (1024 * 512 + 512) + 1024 + (512 * 256 + 256),
    );
  });

  for (const mode of ['train', 'eval'] as const) {
    it(`${mode} forward and backward match the float64 reference`, async () => {
      const { arena, enc, v, x, dp, out } = await run(mode, mode === 'train' ? 1 : 2);
      const p = toRefParams(v);
      const f = pointnetForwardRef(C, B, N, x, p, mode);
      const b = pointnetBackwardRef(C, B, N, x, p, f, dp, mode);
      expectClose(out.features, f.features, 1e-5, 1e-4, 'features');
      expect([...out.poolArg]).toEqual([...f.poolArg]);
      expectClose(out.projections, f.projections, 2e-5, 1e-4, 'projections');
      expectClose(out.dFeatures, b.dFeatures, 1e-5, 1e-3, 'dFeatures');
      expectClose(out.dInput, b.dInput, 1e-5, 1e-3, 'dInput');
      expectGrads(out.grads, b.grads, 1e-5, 1e-3, mode);
      for (const [name, want] of f.running) {
        expectClose(out.state.get(name) as Float32Array, want, 1e-6, 1e-5, name);
      }
      expect((out.state.get('bn3.num_batches_tracked') as BigInt64Array)[0]).toBe(mode === 'train' ? 1n : 0n);
      expectArenaMatchesSpecs(arena, enc.bufferSpecs);
      enc.destroy();
      arena.destroy();
    });
  }

  it('adds a given feature gradient (featureGrad) and is bit-for-bit deterministic', async () => {
    const r1 = await run('train', 3, true);
    const p = toRefParams(r1.v);
    const f = pointnetForwardRef(C, B, N, r1.x, p, 'train');
    const b = pointnetBackwardRef(C, B, N, r1.x, p, f, r1.dp, 'train', r1.df);
    expectClose(r1.out.dInput, b.dInput, 1e-5, 1e-3, 'dInput with dFeatures');
    expectGrads(r1.out.grads, b.grads, 1e-5, 1e-3, 'featureGrad');
    const r2 = await run('train', 3, true);
    expect(r2.out.dInput).toEqual(r1.out.dInput);
    expect(r2.out.projections).toEqual(r1.out.projections);
    expect(r2.out.grads.get('conv2.weight')).toEqual(r1.out.grads.get('conv2.weight'));
    for (const r of [r1, r2]) {
      r.enc.destroy();
      r.arena.destroy();
    }
  });

  it('the reference backward matches central differences (parameters and points)', () => {
    const c: PointNetConfig = { widths: [4, 5, 4, 6], emb: 7, headHidden: 6, proj: 5 };
    const b = 3;
    const n = 9;
    const p = toRefParams(randomModelValues(pointnetParamSpecs(c), 4));
    const rng = new Rng(9);
    const x = Float64Array.from(rng.normalArray(b * 3 * n));
    const dp = rng.uniformArray(b * c.proj);
    for (const mode of ['train', 'eval'] as const) {
      const loss = () =>
        pointnetForwardRef(c, b, n, x, p, mode).projections.reduce((s, v, i) => s + v * dp[i]!, 0);
      const g = pointnetBackwardRef(c, b, n, x, p, pointnetForwardRef(c, b, n, x, p, mode), dp, mode);
      const probe = (arr: Float64Array, grad: ArrayLike<number>, name: string) =>
        expectGradientMatchesDifferences(loss, arr, grad, {
          what: `${mode} ${name}`,
          samples: 6,
          seed: 7,
          eps: 1e-6,
          atol: 1e-6,
          rtol: 1e-4,
        });
      probe(x, g.dInput, 'input');
      for (const [name, gr] of g.grads) probe(p.get(name) as Float64Array, gr, name);
    }
  });
});
