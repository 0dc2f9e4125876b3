import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { checkGradients, checkOp, type HostBuffers, type OpSpec, withBuffers } from '../../test/op-check';
import { submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { planSmoothedCe, type SmoothedCeOp, type SmoothedCeShape } from './smoothed_ce';
import { smoothedCeRef } from './smoothed_ce.ref';

const gpu = setupGpu();

const refOf = (s: SmoothedCeShape, d: HostBuffers) =>
  smoothedCeRef(d.logits!, d.labels as Int32Array, s.B, s.C, s.N);

/** Loss, gradient and arg-max in one step (encode); the loss lands at loss[1]. */
const smoothedCe: OpSpec<SmoothedCeShape, SmoothedCeOp> = {
  name: 'smoothed_ce',
  data: ({ B, C, N }, rng) => ({
    logits: rng.uniformArray(B * C * N, -4, 4), // [B, C, N]
    labels: Int32Array.from({ length: B * N }, () => rng.int(C)), // [B, N]
    grad: new Float32Array(B * C * N), // [B, C, N]
    pred: new Int32Array(B * N), // [B, N]
    loss: new Float32Array(2),
  }),
  plan: (ctx, s, b) =>
    planSmoothedCe(
      ctx,
      { ...s, lossIndex: 1 },
      { logits: b.logits!, labels: b.labels!, grad: b.grad!, pred: b.pred!, loss: b.loss! },
    ),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref(s, d) {
      const r = refOf(s, d);
      const scale = s.scale ?? 1;
      return {
        loss: Float64Array.of(0, r.loss),
        grad: Float64Array.from(r.grad, (g) => scale * g),
        pred: r.pred,
      };
    },
    tol: (s, b, d) => (b === 'loss' ? [2e-6 * Math.max(1, refOf(s, d).loss), 0] : [1e-7, 1e-4]),
  },
  gradients: { cotangents: { loss: 1 }, inputs: { logits: 'grad' }, eps: 1e-5, samples: 25, tol: [1e-9, 0] },
};

describe('smoothed cross-entropy (shaders/smoothed_ce.wgsl)', () => {
  const run = (s: SmoothedCeShape, logits: Float32Array, labels: Int32Array) =>
    checkOp(gpu(), smoothedCe, s, { data: { ...smoothedCe.data(s, new Rng(1)), logits, labels } });

  it('a hand-computed point: logits (0, ln 3), label 1, ε = 0.2', async () => {
    const logits = Float32Array.from([0, Math.log(3)]); // B 1, C 2, N 1: softmax (1/4, 3/4)
    const labels = Int32Array.from([1]);
    const want = -(0.2 * Math.log(0.25) + 0.8 * Math.log(0.75));
    expect(smoothedCeRef(logits, labels, 1, 2, 1).loss).toBeCloseTo(want, 7);
    const got = (await run({ B: 1, C: 2, N: 1 }, logits, labels)).forward;
    expect(got.loss![1]).toBeCloseTo(want, 6);
    expectClose(got.grad!, [0.25 - 0.2, 0.75 - 0.8], 1e-7, 1e-6, 'grad');
    expect([...got.pred!]).toEqual([1]);
  });

  it('equal logits cost log C whatever the labels', async () => {
    const s = { B: 2, C: 50, N: 3 };
    const got = await run(s, new Float32Array(2 * 50 * 3).fill(0.7), Int32Array.from([0, 49, 7, 13, 0, 2]));
    expect(got.forward.loss![1]).toBeCloseTo(Math.log(s.C), 5);
  });

  // 1 point; a prime count; more points than the mean pass's 256 threads; 50 parts like the model.
  it.each([
    [1, 2, 1],
    [3, 50, 37],
    [2, 7, 301],
    [5, 50, 129],
  ])('B %i, C %i, N %i: loss, gradient and arg-max match the float64 reference', async (B, C, N) => {
    await checkOp(gpu(), smoothedCe, { B, C, N, scale: 2.5 }, { seed: B * 1000 + C * 10 + N });
  });

  it('setRows(r) scores only the first r clouds (a padded last batch)', async () => {
    const ctx = gpu();
    const B = 3;
    const C = 50;
    const N = 17;
    const rng = new Rng(21);
    const logits = rng.uniformArray(B * C * N, -4, 4);
    const labels = Int32Array.from({ length: B * N }, () => rng.int(C));
    const data = {
      logits, // [B, C, N]
      labels, // [B, N]
      grad: new Float32Array(B * C * N), // [B, C, N]
      pred: new Int32Array(B * N), // [B, N]
      loss: new Float32Array(1),
    };
    await withBuffers(ctx, data, async (bufs, read) => {
      const op = await planSmoothedCe(
        ctx,
        { B, C, N },
        { logits: bufs.logits!, labels: bufs.labels!, grad: bufs.grad!, pred: bufs.pred!, loss: bufs.loss! },
      );
      try {
        op.setRows(2);
        await submitAndWait(ctx, (enc) => op.encode(enc));
        const want = smoothedCeRef(logits.subarray(0, 2 * C * N), labels.subarray(0, 2 * N), 2, C, N);
        expect(Math.abs((await read('loss'))[0]! - want.loss)).toBeLessThan(2e-6 * want.loss);
        expectClose((await read('grad')).subarray(0, 2 * C * N), want.grad, 1e-7, 1e-4, 'grad');
        expect([...(await read('pred')).subarray(0, 2 * N)]).toEqual([...want.pred]);
        expect(() => op.setRows(4)).toThrow(/1\.\.3/);
      } finally {
        op.destroy();
      }
    });
  });

  it('the analytic gradient matches central finite differences of the float64 loss', () => {
    expect(checkGradients(smoothedCe, { B: 2, C: 5, N: 11 }, 9)).toBe(25);
  });
});
