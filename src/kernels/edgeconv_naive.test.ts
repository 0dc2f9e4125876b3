import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { Rng } from '../util/random';
import { planEdgeConv } from './edgeconv';
import { argMismatches, type EdgeConvCaseOptions, makeEdgeConvCase } from './edgeconv.fixtures';
import { type EdgeConvDims, edgeConvBackwardRef, edgeConvForwardRef } from './edgeconv.ref';
import { embed, runEdgeConv, type SliceLayout } from '../../test/edgeconv-run';
import { planEdgeConvNaive } from './edgeconv_naive';

const gpu = setupGpu();

const maxAbs = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

function expectNear(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  expectClose(got, want, tol * Math.max(1, maxAbs(want)), 0, what);
}

describe('edgeconv naive (shaders/edgeconv_naive.wgsl)', () => {
  const cases: [string, EdgeConvDims, EdgeConvCaseOptions][] = [
    ['C=3', { B: 2, N: 13, k: 4, C: 3, Cout: 7 }, { negativeGamma: [1, 4] }],
    [
      'C=5, duplicates, zero γ',
      { B: 2, N: 13, k: 4, C: 5, Cout: 7 },
      { negativeGamma: [2], zeroGamma: [6], duplicatePoints: 0.4, duplicateSlots: 0.3 },
    ],
    ['bigger', { B: 2, N: 64, k: 8, C: 16, Cout: 24 }, { negativeGamma: [0, 7, 20] }],
  ];
  for (const mode of ['train', 'eval'] as const) {
    it.each(cases)(`matches the reference (%s, ${mode})`, async (_n, d, o) => {
      const c = makeEdgeConvCase(d, 31 + d.C, o);
      const [got] = await runEdgeConv(gpu(), planEdgeConvNaive, d, c, { mode, backward: true });
      const ref = edgeConvForwardRef(d, c.inputs, mode);
      const g = edgeConvBackwardRef(d, c.inputs, ref, c.dy, mode);
      expectNear(got!.y, ref.y, 2e-5, 'y');
      expect(argMismatches(d, c.inputs, ref, got!.arg), 'argslot').toEqual([]);
      expectNear(got!.runningMean, ref.runningMean, 1e-6, 'running mean');
      expectNear(got!.runningVar, ref.runningVar, 1e-6, 'running var');
      expectNear(got!.dx!, g.dx, 1e-4, 'dx');
      expectNear(got!.dWeight!, g.dWeight, 1e-4, 'dW');
      expectNear(got!.dGamma!, g.dGamma, 1e-4, 'dgamma');
      expectNear(got!.dBeta!, g.dBeta, 1e-4, 'dbeta');
    });
  }

  it('agrees with the fused layer, with slices and an accumulated dx', async () => {
    const d: EdgeConvDims = { B: 3, N: 41, k: 6, C: 6, Cout: 10 };
    const c = makeEdgeConvCase(d, 404, { negativeGamma: [3, 9], duplicatePoints: 0.2 });
    const layout: SliceLayout = {
      inChannels: 9,
      inChannel0: 2,
      outChannels: 16,
      outChannel0: 5,
      accumulateDx: true,
    };
    const dxInit = new Rng(1).uniformArray(d.B * 9 * d.N);
    const opt = { mode: 'train' as const, backward: true, layout, dxInit };
    const [fused] = await runEdgeConv(gpu(), planEdgeConv, d, c, opt);
    const [naive] = await runEdgeConv(gpu(), planEdgeConvNaive, d, c, opt);
    const ref = edgeConvForwardRef(d, c.inputs, 'train');
    expectNear(naive!.yFull, fused!.yFull, 2e-5, 'y buffers');
    // Either may resolve a float32 near-tie differently; both must agree with the reference.
    expect(argMismatches(d, c.inputs, ref, naive!.arg)).toEqual([]);
    expect(argMismatches(d, c.inputs, ref, fused!.arg)).toEqual([]);
    expectNear(naive!.dxFull!, fused!.dxFull!, 1e-4, 'dx buffers');
    expectNear(naive!.dWeight!, fused!.dWeight!, 1e-4, 'dW');
    expectNear(naive!.dGamma!, fused!.dGamma!, 1e-4, 'dgamma');
    expectNear(naive!.dBeta!, fused!.dBeta!, 1e-4, 'dbeta');
    expectNear(naive!.runningVar, fused!.runningVar, 1e-6, 'running var');
    // The slice contract: x's neighbours in the buffer do not leak into dx's untouched channels.
    const g = edgeConvBackwardRef(d, c.inputs, ref, c.dy, 'train');
    const dxWant = Float64Array.from(dxInit);
    const gSlice = embed(g.dx, d.B, d.C, d.N, 9, 2, new Float32Array(dxInit.length));
    for (let t = 0; t < dxWant.length; t++) dxWant[t] += gSlice[t]!;
    expectNear(naive!.dxFull!, dxWant, 1e-4, 'naive dx vs reference');
    // The naive plan holds the edge tensor; the fused one does not.
    expect(naive!.bytes).toBeGreaterThan(fused!.bytes);
  });
});
