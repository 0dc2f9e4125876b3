import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type LinearShape, planLinear } from './linear';
import { linearBackwardRef, linearForwardRef } from './linear.ref';

const gpu = setupGpu();

async function check(s: LinearShape, seed: number) {
  const ctx = gpu();
  const { B, inFeatures: I, outFeatures: O } = s;
  const rng = new Rng(seed);
  const x = rng.uniformArray(B * I);
  const w = rng.uniformArray(O * I, -0.1, 0.1);
  const b = rng.uniformArray(O);
  const dy = rng.uniformArray(B * O);
  const dx0 = rng.uniformArray(B * I);
  const dw0 = rng.uniformArray(O * I);
  const db0 = rng.uniformArray(O);
  const bufs = {
    x: createBufferFrom(ctx, x),
    w: createBufferFrom(ctx, w),
    b: createBufferFrom(ctx, b),
    y: createBufferFrom(ctx, new Float32Array(B * O)),
    dy: createBufferFrom(ctx, dy),
    dx: createBufferFrom(ctx, dx0),
    dw: createBufferFrom(ctx, dw0),
    db: createBufferFrom(ctx, db0),
  };
  const op = await planLinear(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc);
    op.encodeBackward(enc);
  });
  const what = JSON.stringify(s);
  const y = await readF32(ctx, bufs.y, B * O);
  expectClose(y, linearForwardRef(s, x, w, b), 1e-5 * Math.sqrt(I) + 1e-6, 1e-5, `${what} y`);
  const g = linearBackwardRef(s, x, w, dy, {
    dx: s.accumulateDx ? dx0 : undefined,
    dw: s.accumulate ? dw0 : undefined,
    db: s.accumulate ? db0 : undefined,
  });
  expectClose(await readF32(ctx, bufs.dx, B * I), g.dx, 1e-5 * Math.sqrt(O) + 1e-6, 1e-5, `${what} dx`);
  expectClose(await readF32(ctx, bufs.dw, O * I), g.dw, 1e-5 * Math.sqrt(B) + 1e-6, 1e-5, `${what} dW`);
  const db = await readF32(ctx, bufs.db, O);
  if (s.bias) expectClose(db, g.db, 1e-5 * Math.sqrt(B) + 1e-6, 1e-5, `${what} db`);
  else expect([...db]).toEqual([...db0]); // no bias: db untouched
  op.destroy();
  for (const buf of Object.values(bufs)) buf.destroy();
}

describe('linear (shaders/matmul.wgsl + shaders/column_sum.wgsl)', () => {
  const cases: LinearShape[] = [
    { B: 1, inFeatures: 1, outFeatures: 1, bias: true },
    { B: 3, inFeatures: 7, outFeatures: 5, bias: true },
    { B: 65, inFeatures: 33, outFeatures: 17, bias: true, accumulate: true }, // db over 2 row chunks
    { B: 6, inFeatures: 2048, outFeatures: 512, bias: false, accumulateDx: true }, // image head 0
    { B: 20, inFeatures: 1024, outFeatures: 256, bias: true, accumulate: true }, // point head 3
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_n, s, i) => {
    await check(s, 90 + i);
  });

  it('backward matches central differences of the reference', () => {
    const s: LinearShape = { B: 3, inFeatures: 4, outFeatures: 5, bias: true };
    const rng = new Rng(2);
    const x = Float64Array.from(rng.uniformArray(12));
    const w = Float64Array.from(rng.uniformArray(20));
    const b = Float64Array.from(rng.uniformArray(5));
    const dy = rng.uniformArray(15);
    const loss = () => linearForwardRef(s, x, w, b).reduce((a, v, i) => a + v * dy[i]!, 0);
    const g = linearBackwardRef(s, x, w, dy);
    for (const [arr, grad, name] of [
      [x, g.dx, 'dx'],
      [w, g.dw, 'dW'],
      [b, g.db, 'db'],
    ] as const) {
      const idx = sampleIndices(arr.length, 10, 5);
      expectClose(
        idx.map((i) => centralDiff(loss, arr, i, 1e-3)),
        idx.map((i) => grad[i]!),
        1e-9,
        1e-8,
        `${name} vs finite differences`,
      );
    }
  });

  it('refuses a biased layer without a bias buffer', async () => {
    const ctx = gpu();
    const buf = createBufferFrom(ctx, new Float32Array(4));
    await expect(
      planLinear(ctx, { B: 1, inFeatures: 2, outFeatures: 2, bias: true }, { x: buf, w: buf, y: buf }),
    ).rejects.toThrow(/bias/);
    buf.destroy();
  });
});
