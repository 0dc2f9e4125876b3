import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose, expectGradientMatchesDifferences } from '../../test/numeric';
import { BufferArena } from '../gpu/arena';
import { readF32, readI32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { BatchNormMode } from '../kernels/batchnorm';
import { edgeConvScratch } from '../kernels/edgeconv';
import { scratchBytes } from '../kernels/scratch';
import { Rng } from '../util/random';
import { type Dgcnn, createDgcnn } from './dgcnn';
import { type DgcnnConfig, edgeInputWidth } from './dgcnn-config';
import { dgcnnBackwardRef, dgcnnForwardRef } from './dgcnn.ref';
import {
  expectArenaMatchesSpecs,
  expectGrads,
  randomModelValues,
  toRefParams,
} from '../../test/encoder-testing';

const gpu = setupGpu();

const C: DgcnnConfig = { k: 4, edgeWidths: [8, 8, 16, 16], emb: 32, headHidden: 32, proj: 16 };
// B = 3: with 2 clouds the head's training-mode BatchNorm maps its input to ±1 and passes
// (almost) no gradient, which would leave the projection path untested.
const B = 3;
const N = 32;

/** Model values with EdgeConv BN scales of both signs (a negative scale makes the max a min). */
function values(enc: Dgcnn, seed: number) {
  const v = randomModelValues(enc.params.specs, seed);
  const rng = new Rng(seed + 50);
  for (let l = 1; l <= 4; l++) {
    const gamma = v.get(`bn${l}.weight`) as Float32Array;
    for (let i = 0; i < gamma.length; i++) if (rng.next() < 0.3) gamma[i] = -gamma[i]!;
  }
  return v;
}

interface Run {
  arena: BufferArena;
  enc: Dgcnn;
  v: Map<string, Float32Array | BigInt64Array>;
  x: Float32Array;
  dp: Float32Array;
  df: Float32Array;
  out: Awaited<ReturnType<typeof readAll>>;
}

async function readAll(enc: Dgcnn) {
  const ctx = gpu();
  return {
    features: await readF32(ctx, enc.features, B * 2 * C.emb),
    projections: await readF32(ctx, enc.projections, B * C.proj),
    dInput: await readF32(ctx, enc.dInput!, B * 3 * N),
    dFeatures: await readF32(ctx, enc.dFeatures!, B * 2 * C.emb),
    knn: await Promise.all(enc.knnBuffers.map((b) => readI32(ctx, b, B * N * C.k))),
    arg: await Promise.all(enc.argBuffers.map((b, l) => readI32(ctx, b, B * C.edgeWidths[l]! * N))),
    grads: await enc.params.downloadGrads(),
    state: await enc.params.download(),
  };
}

async function run(mode: BatchNormMode, seed: number, featureGrad = false): Promise<Run> {
  const ctx = gpu();
  const arena = new BufferArena(ctx);
  const enc = await createDgcnn(ctx, arena, C, { batch: B, points: N, inputGrad: true, featureGrad });
  const v = values(enc, seed);
  enc.params.upload(v);
  const rng = new Rng(seed + 5);
  const x = rng.normalArray(B * 3 * N);
  const dp = rng.uniformArray(B * C.proj);
  const df = rng.uniformArray(B * 2 * C.emb);
  writeBuffer(ctx, enc.input, x);
  writeBuffer(ctx, enc.dProjections!, dp);
  if (featureGrad) writeBuffer(ctx, enc.dFeatures!, df);
  await submitAndWait(ctx, (e) => {
    enc.encodeForward(e, mode);
    enc.encodeBackward(e);
  });
  return { arena, enc, v, x, dp, df, out: await readAll(enc) };
}

function done(r: Run) {
  r.enc.destroy();
  r.arena.destroy();
}

function compare(r: Run, mode: BatchNormMode, featureGrad: boolean) {
  const p = toRefParams(r.v);
  const f = dgcnnForwardRef(C, B, N, r.x, p, mode);
  const b = dgcnnBackwardRef(C, B, N, r.x, p, f, r.dp, mode, featureGrad ? r.df : undefined);
  // The discrete choices first: the same graphs and the same max winners as the reference.
  for (let l = 0; l < 4; l++) {
    expect([...r.out.knn[l]!], `knn of EdgeConv ${l + 1}`).toEqual([...f.layers[l]!.idx]);
    expect([...r.out.arg[l]!], `arg-max slots of EdgeConv ${l + 1}`).toEqual([...f.layers[l]!.arg]);
  }
  expectClose(r.out.features, f.features, 1e-5, 1e-4, 'features');
  expectClose(r.out.projections, f.projections, 2e-5, 1e-4, 'projections');
  expectClose(r.out.dFeatures, b.dFeatures, 1e-5, 1e-3, 'dFeatures');
  // Scaled by the largest entry: the train-mode BN backward cancels terms of that size in float32.
  const big = b.dInput.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expectClose(r.out.dInput, b.dInput, 1e-5 + 1e-4 * big, 1e-3, 'dInput');
  expectGrads(r.out.grads, b.grads, 1e-5, 1e-3, mode);
  for (const [name, want] of f.running)
    expectClose(r.out.state.get(name) as Float32Array, want, 1e-6, 1e-5, name);
  for (let l = 1; l <= 5; l++) {
    expect((r.out.state.get(`bn${l}.num_batches_tracked`) as BigInt64Array)[0]).toBe(
      mode === 'train' ? 1n : 0n,
    );
  }
  return { p, f, b };
}

describe('DGCNN encoder (knn.wgsl, edgeconv.wgsl, matmul.wgsl, batchnorm.wgsl, activation.wgsl, pooling.wgsl)', () => {
  it('train mode: kNN graphs, max winners, features, projections, every gradient and dInput match the reference', async () => {
    const r = await run('train', 1);
    compare(r, 'train', false);
    expectArenaMatchesSpecs(r.arena, r.enc.bufferSpecs);
    // The plan's kernel-scratch figure for each EdgeConv is what the EdgeConv plan allocated.
    r.enc.edgeConvBytes.forEach((bytes, i) => {
      const d = { B, N, k: C.k, C: edgeInputWidth(C, i + 1), Cout: C.edgeWidths[i]! };
      expect(bytes, `EdgeConv ${i + 1} scratch`).toBe(scratchBytes(edgeConvScratch(d, true)));
    });
    done(r);
  });

  it('eval mode uses and keeps the running statistics', async () => {
    const r = await run('eval', 2);
    compare(r, 'eval', false);
    for (const [name, v] of r.v) {
      if (name.includes('running')) expect(r.out.state.get(name), name).toEqual(v);
    }
    done(r);
  });

  it('a feature gradient adds in (featureGrad); gradients match finite differences of the reference', async () => {
    const r = await run('train', 3, true);
    const { p, f } = compare(r, 'train', true);
    const idx = f.layers.map((l) => l.idx);
    const x = Float64Array.from(r.x);
    const loss = () => {
      const g = dgcnnForwardRef(C, B, N, x, p, 'train', idx);
      let s = 0;
      for (let i = 0; i < g.projections.length; i++) s += g.projections[i]! * r.dp[i]!;
      for (let i = 0; i < g.features.length; i++) s += g.features[i]! * r.df[i]!;
      return s;
    };
    // GPU gradients (float32) against central differences of the float64 reference.
    const probe = (arr: Float64Array, got: Float32Array, name: string, count: number) =>
      expectGradientMatchesDifferences(loss, arr, got, {
        what: `${name}: GPU gradient`,
        samples: count,
        seed: 11,
        eps: 1e-5,
        atol: 2e-4,
        rtol: 2e-3,
      });
    probe(x, r.out.dInput, 'input points', 8);
    for (const name of [
      'conv1.0.weight',
      'bn2.weight',
      'conv4.0.weight',
      'conv5.0.weight',
      'bn5.bias',
      'inv_head.0.weight',
    ]) {
      probe(p.get(name) as Float64Array, r.out.grads.get(name)!, name, 3);
    }
    done(r);
  });

  it('is deterministic: the same inputs give bit-identical outputs and gradients', async () => {
    const r1 = await run('train', 4);
    const r2 = await run('train', 4);
    expect(r2.out.projections).toEqual(r1.out.projections);
    expect(r2.out.dInput).toEqual(r1.out.dInput);
    for (const [name, g] of r1.out.grads) expect(r2.out.grads.get(name), name).toEqual(g);
    done(r1);
    done(r2);
  });

  it('refuses fewer points than k', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    await expect(createDgcnn(ctx, arena, C, { batch: 1, points: 3 })).rejects.toThrow(/fewer than k = 4/);
    arena.destroy();
  });
});
