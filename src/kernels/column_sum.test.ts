import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { createBufferFrom, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { columnSumChunk, planColumnSum } from './column_sum';
import { columnSumRef } from './column_sum.ref';

const gpu = setupGpu();

async function run(R: number, C: number, accumulate: boolean, seed: number) {
  const ctx = gpu();
  const rng = new Rng(seed);
  const x = rng.uniformArray(R * C, -1, 1);
  const out0 = rng.uniformArray(C, -1, 1);
  const bx = createBufferFrom(ctx, x);
  const bo = createBufferFrom(ctx, out0);
  const op = await planColumnSum(ctx, { R, C, accumulate }, { x: bx, out: bo });
  await submitAndWait(ctx, (enc) => op.encode(enc));
  const got = await readF32(ctx, bo, C);
  op.destroy();
  bx.destroy();
  bo.destroy();
  return { got, want: columnSumRef(x, R, C, accumulate ? out0 : undefined) };
}

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
    const { got, want } = await run(R, C, accumulate, R * 31 + C);
    expectClose(got, want, 2e-6 * Math.sqrt(R) + 1e-6, 1e-6, `colsum [${R}, ${C}]`);
  });

  it('uses more than one chunk for R > 64 and gives bit-identical results on rerun', async () => {
    expect(Math.ceil(1000 / columnSumChunk(1000))).toBeGreaterThan(1);
    const a = await run(1000, 130, false, 9);
    const b = await run(1000, 130, false, 9);
    expect(Buffer.from(a.got.buffer).equals(Buffer.from(b.got.buffer))).toBe(true);
  });
});
