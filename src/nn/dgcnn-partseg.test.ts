import { describe, expect, it } from 'vitest';
import { expectGrads, toRefParams } from '../../test/encoder-testing';
import { setupGpu } from '../../test/gpu';
import { expectClose, expectGradientMatchesDifferences, sampleIndices } from '../../test/numeric';
import { PARTSEG_TINY, randomPartSegValues } from '../../test/partseg-testing';
import { BufferArena } from '../gpu/arena';
import { readF32, readI32, submitAndWait, writeBuffer } from '../gpu/buffers';
import type { BatchNormMode } from '../kernels/batchnorm';
import { Rng } from '../util/random';
import { createDgcnnPartSeg, createDgcnnSegEncoder, type DgcnnPartSeg } from './dgcnn-partseg';
import type { PartSegConfig } from './dgcnn-partseg-config';
import { oneHotRef, partSegBackwardRef, partSegForwardRef } from './dgcnn-partseg.ref';

const gpu = setupGpu();

// B = 3: BatchNorm1d over [B, C] (the transform net's linears, conv7) in training mode maps two
// values to ±1 and passes (almost) no gradient; three keep those paths tested.
const B = 3;

interface Run {
  c: PartSegConfig;
  N: number;
  arena: BufferArena;
  m: DgcnnPartSeg;
  v: Map<string, Float32Array | BigInt64Array>;
  x: Float32Array;
  onehot: Float32Array;
  dl: Float32Array;
  out: Awaited<ReturnType<typeof readAll>>;
}

async function readAll(m: DgcnnPartSeg, c: PartSegConfig, N: number) {
  const ctx = gpu();
  const args = new Map<string, Int32Array>();
  for (const [k, buf] of m.argBuffers) args.set(k, await readI32(ctx, buf));
  return {
    logits: await readF32(ctx, m.logits, B * c.parts * N),
    T: await readF32(ctx, m.transform, B * 9),
    dInput: await readF32(ctx, m.dInput!, B * 3 * N),
    knn: await Promise.all(m.knnBuffers.map((b) => readI32(ctx, b, B * N * c.k))),
    args,
    grads: await m.params.downloadGrads(),
    state: await m.params.download(),
  };
}

async function run(
  c: PartSegConfig,
  N: number,
  mode: BatchNormMode,
  seed: number,
  dropout?: number,
  bnMomentum?: number,
): Promise<Run> {
  const ctx = gpu();
  const arena = new BufferArena(ctx);
  const m = await createDgcnnPartSeg(ctx, arena, c, { batch: B, points: N, dropoutSeed: 77, bnMomentum });
  const v = randomPartSegValues(c, seed);
  // BN scales of both signs in the EdgeConv blocks (a negative scale makes the max a min).
  const rng = new Rng(seed + 50);
  for (const bn of ['transform_net.bn2', 'bn2', 'bn4', 'bn5']) {
    const gamma = v.get(`${bn}.weight`) as Float32Array;
    for (let i = 0; i < gamma.length; i++) if (rng.next() < 0.3) gamma[i] = -gamma[i]!;
  }
  m.params.upload(v);
  const x = rng.normalArray(B * 3 * N);
  const onehot = oneHotRef(
    Array.from({ length: B }, (_, b) => (b * 2 + seed) % c.categories),
    c.categories,
  );
  const dl = rng.uniformArray(B * c.parts * N, -1, 1);
  writeBuffer(ctx, m.input, x);
  writeBuffer(ctx, m.category, onehot);
  writeBuffer(ctx, m.dLogits!, dl);
  if (dropout !== undefined) m.setDropoutStep(dropout);
  await submitAndWait(ctx, (e) => {
    m.encodeForward(e, mode, { dropout: dropout !== undefined });
    m.encodeBackward(e);
  });
  return { c, N, arena, m, v, x, onehot, dl, out: await readAll(m, c, N) };
}

function done(r: Run) {
  r.m.destroy();
  r.arena.destroy();
}

function compare(r: Run, mode: BatchNormMode, dropout?: number) {
  const { c, N } = r;
  const p = toRefParams(r.v);
  const opts = dropout !== undefined ? { dropout: { seed: 77, step: dropout } } : {};
  const f = partSegForwardRef(c, B, N, r.x, r.onehot, p, mode, opts);
  // The discrete choices first: the same graphs and max winners as the reference.
  for (let q = 0; q < 4; q++) expect([...r.out.knn[q]!], `knn ${q}`).toEqual([...f.idx[q]!]);
  for (const [name, m] of [...f.maxK, ...f.maxN]) {
    expect([...r.out.args.get(name)!].slice(0, m.arg.length), `argmax ${name}`).toEqual([...m.arg]);
  }
  expectClose(r.out.T, f.T, 1e-5, 1e-4, 'transform');
  const big = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expectClose(r.out.logits, f.logits, 1e-5 + 1e-4 * big(f.logits), 1e-3, 'logits');
  const b = partSegBackwardRef(c, B, N, r.x, p, f, r.dl, mode);
  expectClose(r.out.dInput, b.dInput, 1e-5 + 2e-4 * big(b.dInput), 2e-3, 'dInput');
  expectGrads(r.out.grads, b.grads, 1e-5, 2e-3, mode, { betaLikeGamma: true });
  for (const [name, want] of f.running)
    expectClose(r.out.state.get(name) as Float32Array, want, 1e-6, 1e-4, name);
  for (const name of ['transform_net.bn3', 'transform_net.conv3.1', 'bn1', 'bn10']) {
    expect((r.out.state.get(`${name}.num_batches_tracked`) as BigInt64Array)[0], name).toBe(
      mode === 'train' ? 1n : 0n,
    );
  }
  return { p, f, b };
}

describe('DGCNN_partseg on the GPU against the float64 reference', () => {
  it('train mode without and with dropout: graphs, winners, T, logits, running stats, every gradient and dInput', async () => {
    const r0 = await run(PARTSEG_TINY, 11, 'train', 3);
    compare(r0, 'train');
    done(r0);
    const r = await run(PARTSEG_TINY, 11, 'train', 3, 3);
    compare(r, 'train', 3);
    done(r);
  });

  it('bnMomentum moves every BatchNorm’s running statistics by that share of the batch statistic', async () => {
    const r = await run(PARTSEG_TINY, 11, 'train', 3, undefined, 0.5);
    // The reference's update at PyTorch's 0.1: running' − running = 0.1·(batch − running); at 0.5
    // the same batch statistics move it five times as far.
    const f = partSegForwardRef(PARTSEG_TINY, B, 11, r.x, r.onehot, toRefParams(r.v), 'train');
    expect(f.running.size).toBe(2 * 15); // all 15 BNs of the segmentation model (5 in the transform net), mean and variance
    for (const [name, want] of f.running) {
      const before = r.v.get(name) as Float32Array;
      const at05 = Float64Array.from(want, (w, i) => before[i]! + 5 * (w - before[i]!));
      expectClose(r.out.state.get(name) as Float32Array, at05, 1e-5, 1e-4, name);
    }
    expectClose(r.out.logits, f.logits, 1e-4, 1e-3, 'logits (batch statistics, whatever the momentum)');
    done(r);
  });

  it('eval mode uses and keeps the running statistics (no dropout)', async () => {
    const r = await run(PARTSEG_TINY, 9, 'eval', 4);
    compare(r, 'eval');
    for (const [name, v] of r.v) if (name.includes('running')) expect(r.out.state.get(name), name).toEqual(v);
    done(r);
  });

  it('k = 6 on 13 points, widths off every tile; gradients match finite differences of the reference', async () => {
    const c: PartSegConfig = {
      ...PARTSEG_TINY,
      k: 6,
      edge: 5,
      tnet: [7, 9, 11, 5, 4],
      head: [6, 5, 7],
      parts: 5,
    };
    const r = await run(c, 13, 'train', 5);
    const { p, f } = compare(r, 'train');
    const x = Float64Array.from(r.x);
    const loss = () =>
      partSegForwardRef(c, B, r.N, x, r.onehot, p, 'train', { fixedIdx: f.idx }).logits.reduce(
        (a, v, i) => a + v * r.dl[i]!,
        0,
      );
    const probe = (arr: Float64Array, got: Float32Array, name: string, count: number) => {
      // The absolute tolerance scales with the largest probed gradient (the GPU's, f32).
      const at = sampleIndices(arr.length, count, 11);
      const big = Math.max(...at.map((i) => Math.abs(got[i]!)));
      expectGradientMatchesDifferences(loss, arr, got, {
        what: `${name}: GPU gradient`,
        samples: count,
        seed: 11,
        eps: 1e-5,
        atol: 2e-4 + 2e-3 * big,
        rtol: 2e-3,
      });
    };
    probe(x, r.out.dInput, 'input points', 6);
    for (const name of [
      'transform_net.conv1.0.weight',
      'transform_net.conv3.1.weight',
      'transform_net.transform.bias',
      'conv2.0.weight',
      'bn3.bias',
      'conv5.0.weight',
      'conv7.0.weight',
      'conv8.0.weight',
      'conv11.weight',
    ]) {
      probe(p.get(name) as Float64Array, r.out.grads.get(name)!, name, 3);
    }
    done(r);
  });

  it('is deterministic by seed: the same inputs and dropout step give bit-identical outputs and gradients', async () => {
    const r1 = await run(PARTSEG_TINY, 8, 'train', 6, 2);
    const r2 = await run(PARTSEG_TINY, 8, 'train', 6, 2);
    expect(r2.out.logits).toEqual(r1.out.logits);
    expect(r2.out.dInput).toEqual(r1.out.dInput);
    for (const [name, g] of r1.out.grads) expect(r2.out.grads.get(name), name).toEqual(g);
    done(r1);
    done(r2);
  });

  it('dgcnn_seg encoder (pretrain mode, a PointEncoder): features, projections, gradients and dInput as the reference', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    const N = 10;
    const enc = await createDgcnnSegEncoder(ctx, arena, PARTSEG_TINY, {
      batch: B,
      points: N,
      inputGrad: true,
    });
    expect(enc.bufferSpecs.some((s) => s.name.includes('conv8'))).toBe(false);
    const v = randomPartSegValues(PARTSEG_TINY, 21);
    enc.params.upload(v);
    const rng = new Rng(22);
    const x = rng.normalArray(B * 3 * N);
    const dp = rng.uniformArray(B * PARTSEG_TINY.proj, -1, 1);
    writeBuffer(ctx, enc.input, x);
    writeBuffer(ctx, enc.dProjections!, dp);
    await submitAndWait(ctx, (e) => {
      enc.encodeForward(e, 'train');
      enc.encodeBackward(e);
    });
    const p = toRefParams(v);
    const f = partSegForwardRef(PARTSEG_TINY, B, N, x, new Float32Array(0), p, 'train', {
      model: 'pretrain',
    });
    const b = partSegBackwardRef(PARTSEG_TINY, B, N, x, p, f, dp, 'train');
    expect(enc.featureWidth).toBe(PARTSEG_TINY.emb);
    expectClose(await readF32(ctx, enc.features, B * PARTSEG_TINY.emb), f.global, 1e-5, 1e-4, 'features');
    expectClose(
      await readF32(ctx, enc.projections, B * PARTSEG_TINY.proj),
      f.head!.y,
      2e-5,
      1e-3,
      'projections',
    );
    const big = Array.from(b.dInput).reduce((m, t) => Math.max(m, Math.abs(t)), 0);
    expectClose(await readF32(ctx, enc.dInput!, B * 3 * N), b.dInput, 1e-5 + 2e-4 * big, 2e-3, 'dInput');
    expectGrads(await enc.params.downloadGrads(), b.grads, 1e-5, 2e-3, 'pretrain', {
      betaLikeGamma: true,
    });
    const state = await enc.params.download();
    for (const [name, want] of f.running)
      expectClose(state.get(name) as Float32Array, want, 1e-6, 1e-4, name);
    enc.destroy();
    arena.destroy();
  });

  it('refuses fewer points than k', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    await expect(createDgcnnPartSeg(ctx, arena, PARTSEG_TINY, { batch: 2, points: 2 })).rejects.toThrow(
      /fewer than k = 3/,
    );
    arena.destroy();
  });
});
