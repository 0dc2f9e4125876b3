import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type OpSpec, sameBits } from '../../test/op-check';
import { type ColumnSumOp, type ColumnSumShape, columnSumChunk, planColumnSum } from './column_sum';
import { columnSumRef } from './column_sum.ref';

const gpu = setupGpu();

/** out[c] (+)= Σ_r x[r, c]; no backward (its adjoint is a broadcast, done by the callers). */
const columnSum: OpSpec<ColumnSumShape, ColumnSumOp> = {
  name: 'colsum',
  data: ({ R, C }, rng) => ({
    x: rng.uniformArray(R * C, -1, 1), // [R, C]
    out: rng.uniformArray(C, -1, 1), // [C], the base when accumulating
  }),
  plan: (ctx, s, b) => planColumnSum(ctx, s, { x: b.x!, out: b.out! }),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref: ({ R, C, accumulate }, d) => ({ out: columnSumRef(d.x!, R, C, accumulate ? d.out : undefined) }),
    tol: ({ R }) => [2e-6 * Math.sqrt(R) + 1e-6, 1e-6],
  },
};

describe('column sum (shaders/column_sum.wgsl)', () => {
  // One chunk (R ≤ 64) writes directly; R = 1000 and 20011 take the two-pass path (16 and 79 chunks).
  it.each([
    [1, 1, false],
    [3, 5, false],
    [40, 1024, false],
    [16, 256, true],
    [65, 67, false],
    [1000, 130, true],
    [20011, 3, false],
  ])('R = %i, C = %i, accumulate = %s', async (R, C, accumulate) => {
    await checkOp(gpu(), columnSum, { R, C, accumulate }, { seed: R * 31 + C });
  });

  it('uses more than one chunk for R > 64 and gives bit-identical results on rerun', async () => {
    expect(Math.ceil(1000 / columnSumChunk(1000))).toBeGreaterThan(1);
    const a = await checkOp(gpu(), columnSum, { R: 1000, C: 130, accumulate: false }, { seed: 9 });
    const b = await checkOp(gpu(), columnSum, { R: 1000, C: 130, accumulate: false }, { seed: 9 });
    expect(sameBits(a.forward.out!, b.forward.out!)).toBe(true);
  });
});
