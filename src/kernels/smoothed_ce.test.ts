import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, readI32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { planSmoothedCe } from './smoothed_ce';
import { smoothedCeRef } from './smoothed_ce.ref';

const gpu = setupGpu();

async function runGpu(logits: Float32Array, labels: Int32Array, B: number, C: number, N: number, scale = 1) {
  const ctx = gpu();
  const bufs = {
    logits: createBufferFrom(ctx, logits),
    labels: createBufferFrom(ctx, labels),
    grad: createStorageBuffer(ctx, B * C * N * 4),
    pred: createStorageBuffer(ctx, B * N * 4),
    loss: createStorageBuffer(ctx, 8),
  };
  const op = await planSmoothedCe(ctx, { B, C, N, scale, lossIndex: 1 }, bufs);
  await submitAndWait(ctx, (enc) => op.encode(enc));
  const out = {
    loss: (await readF32(ctx, bufs.loss, 2))[1]!,
    grad: await readF32(ctx, bufs.grad, B * C * N),
    pred: await readI32(ctx, bufs.pred, B * N),
  };
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return out;
}

describe('smoothed cross-entropy (shaders/smoothed_ce.wgsl)', () => {
  it('a hand-computed point: logits (0, ln 3), label 1, ε = 0.2', async () => {
    const logits = Float32Array.from([0, Math.log(3)]); // B 1, C 2, N 1: softmax (1/4, 3/4)
    const labels = Int32Array.from([1]);
    const want = -(0.2 * Math.log(0.25) + 0.8 * Math.log(0.75));
    expect(smoothedCeRef(logits, labels, 1, 2, 1).loss).toBeCloseTo(want, 7);
    const got = await runGpu(logits, labels, 1, 2, 1);
    expect(got.loss).toBeCloseTo(want, 6);
    expectClose(got.grad, [0.25 - 0.2, 0.75 - 0.8], 1e-7, 1e-6, 'grad');
    expect([...got.pred]).toEqual([1]);
  });

  it('equal logits cost log C whatever the labels', async () => {
    const B = 2;
    const C = 50;
    const N = 3;
    const got = await runGpu(
      new Float32Array(B * C * N).fill(0.7),
      Int32Array.from([0, 49, 7, 13, 0, 2]),
      B,
      C,
      N,
    );
    expect(got.loss).toBeCloseTo(Math.log(C), 5);
  });

  // 1 point; a prime count; more points than the mean pass's 256 threads; 50 parts like the model.
  it.each([
    [1, 2, 1],
    [3, 50, 37],
    [2, 7, 301],
    [5, 50, 129],
  ])('B %i, C %i, N %i: loss, gradient and arg-max match the float64 reference', async (B, C, N) => {
    const rng = new Rng(B * 1000 + C * 10 + N);
    const logits = rng.uniformArray(B * C * N, -4, 4);
    const labels = Int32Array.from({ length: B * N }, () => rng.int(C));
    const want = smoothedCeRef(logits, labels, B, C, N);
    const got = await runGpu(logits, labels, B, C, N, 2.5);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(2e-6 * Math.max(1, want.loss));
    expectClose(
      got.grad,
      Float64Array.from(want.grad, (g) => 2.5 * g),
      1e-7,
      1e-4,
      'grad',
    );
    expect([...got.pred]).toEqual([...want.pred]);
  });

  it('setRows(r) scores only the first r clouds (a padded last batch)', async () => {
    const ctx = gpu();
    const B = 3;
    const C = 50;
    const N = 17;
    const rng = new Rng(21);
    const logits = rng.uniformArray(B * C * N, -4, 4);
    const labels = Int32Array.from({ length: B * N }, () => rng.int(C));
    const bufs = {
      logits: createBufferFrom(ctx, logits),
      labels: createBufferFrom(ctx, labels),
      grad: createStorageBuffer(ctx, B * C * N * 4),
      pred: createStorageBuffer(ctx, B * N * 4),
      loss: createStorageBuffer(ctx, 4),
    };
    const op = await planSmoothedCe(ctx, { B, C, N }, bufs);
    op.setRows(2);
    await submitAndWait(ctx, (enc) => op.encode(enc));
    const want = smoothedCeRef(logits.subarray(0, 2 * C * N), labels.subarray(0, 2 * N), 2, C, N);
    expect(Math.abs((await readF32(ctx, bufs.loss, 1))[0]! - want.loss)).toBeLessThan(2e-6 * want.loss);
    expectClose(
      (await readF32(ctx, bufs.grad, B * C * N)).subarray(0, 2 * C * N),
      want.grad,
      1e-7,
      1e-4,
      'grad',
    );
    expect([...(await readI32(ctx, bufs.pred, 2 * N))]).toEqual([...want.pred]);
    expect(() => op.setRows(4)).toThrow(/1\.\.3/);
    op.destroy();
    for (const b of Object.values(bufs)) b.destroy();
  });

  it('the analytic gradient matches central finite differences of the float64 loss', () => {
    const B = 2;
    const C = 5;
    const N = 11;
    const rng = new Rng(9);
    const x = Float64Array.from(rng.uniformArray(B * C * N, -3, 3));
    const labels = Int32Array.from({ length: B * N }, () => rng.int(C));
    const { grad } = smoothedCeRef(x, labels, B, C, N);
    for (const i of sampleIndices(x.length, 25, 4)) {
      const fd = centralDiff(() => smoothedCeRef(x, labels, B, C, N).loss, x, i, 1e-5);
      expect(Math.abs(fd - grad[i]!), `element ${i}`).toBeLessThan(1e-9);
    }
  });
});
