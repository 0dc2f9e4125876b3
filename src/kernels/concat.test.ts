import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type ConcatOp, type ConcatShape, planConcat } from './concat';
import { concatBackwardRef, concatForwardRef } from './concat.ref';

const gpu = setupGpu();

async function check(s: ConcatShape, seed: number) {
  const ctx = gpu();
  const rng = new Rng(seed);
  const part = rng.uniformArray(s.B * s.C * s.N);
  const whole0 = rng.uniformArray(s.B * s.Ctot * s.N);
  const dWhole = rng.uniformArray(s.B * s.Ctot * s.N);
  const dPart0 = rng.uniformArray(s.B * s.C * s.N);
  const bufs = {
    part: createBufferFrom(ctx, part),
    whole: createBufferFrom(ctx, whole0),
    dWhole: createBufferFrom(ctx, dWhole),
    dPart: createBufferFrom(ctx, dPart0),
  };
  const op = await planConcat(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc);
    op.encodeBackward(enc);
  });
  const whole = await readF32(ctx, bufs.whole, whole0.length);
  const dPart = await readF32(ctx, bufs.dPart, dPart0.length);
  // A copy is exact; the accumulating variants round once, as the reference does in float32.
  expect([...whole]).toEqual([...concatForwardRef(s, part, whole0.slice())]);
  expect([...dPart]).toEqual([...concatBackwardRef(s, dWhole, dPart0.slice())]);
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
}

describe('concat (shaders/concat.wgsl)', () => {
  const cases: ConcatShape[] = [
    { B: 1, C: 1, N: 1, Ctot: 1, c0: 0 },
    { B: 3, C: 5, N: 7, Ctot: 12, c0: 7 },
    { B: 2, C: 64, N: 37, Ctot: 512, c0: 128 },
    { B: 3, C: 3, N: 1031, Ctot: 9, c0: 0, accumulateForward: true, accumulateBackward: true },
    { B: 1, C: 256, N: 1, Ctot: 2048, c0: 1792, accumulateBackward: true },
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_n, s, i) => {
    await check(s, 40 + i);
  });

  it('assembles the DGCNN concatenation of four parts and splits its gradient back', async () => {
    const ctx = gpu();
    const B = 2;
    const N = 19;
    const widths = [64, 64, 128, 256];
    const rng = new Rng(77);
    const parts = widths.map((C) => rng.uniformArray(B * C * N));
    const whole = createBufferFrom(ctx, new Float32Array(B * 512 * N));
    const dWhole = rng.uniformArray(B * 512 * N);
    const dWholeBuf = createBufferFrom(ctx, dWhole);
    const partBufs = parts.map((p) => createBufferFrom(ctx, p));
    const dPartBufs = parts.map((p) => createBufferFrom(ctx, new Float32Array(p.length)));
    let c0 = 0;
    const ops: ConcatOp[] = [];
    for (let k = 0; k < 4; k++) {
      const s = { B, C: widths[k]!, N, Ctot: 512, c0 };
      ops.push(
        await planConcat(ctx, s, { part: partBufs[k], whole, dWhole: dWholeBuf, dPart: dPartBufs[k] }),
      );
      c0 += widths[k]!;
    }
    await submitAndWait(ctx, (enc) => {
      for (const op of ops) op.encodeForward(enc);
      for (const op of ops) op.encodeBackward(enc);
    });
    const got = await readF32(ctx, whole);
    // Channel 64·2 + 5 of cloud 1, point 3 comes from part 2 (EdgeConv 3), its channel 5.
    expect(got[(1 * 512 + 133) * N + 3]).toBe(parts[2]![(1 * 128 + 5) * N + 3]);
    c0 = 0;
    for (let k = 0; k < 4; k++) {
      const s = { B, C: widths[k]!, N, Ctot: 512, c0 };
      const want = concatForwardRef(s, parts[k]!, new Float32Array(B * 512 * N));
      for (let b = 0; b < B; b++)
        for (let c = 0; c < s.C; c++)
          for (let n = 0; n < N; n++) {
            const i = (b * 512 + c0 + c) * N + n;
            if (got[i] !== want[i]) throw new Error(`part ${k}: element ${i} is ${got[i]}, want ${want[i]}`);
          }
      const dPart = await readF32(ctx, dPartBufs[k]!);
      expect([...dPart]).toEqual([...concatBackwardRef(s, dWhole, new Float32Array(dPart.length))]);
      c0 += widths[k]!;
    }
    for (const op of ops) op.destroy();
    for (const b of [whole, dWholeBuf, ...partBufs, ...dPartBufs]) b.destroy();
  });

  it('backward is the adjoint of forward (central differences of the reference)', () => {
    const s: ConcatShape = { B: 2, C: 3, N: 5, Ctot: 8, c0: 4 };
    const rng = new Rng(5);
    const part = Float64Array.from(rng.uniformArray(s.B * s.C * s.N));
    const g = rng.uniformArray(s.B * s.Ctot * s.N);
    const loss = () =>
      (concatForwardRef(s, part, new Float64Array(g.length)) as Float64Array).reduce(
        (a, v, i) => a + v * g[i]!,
        0,
      );
    const dPart = concatBackwardRef(s, g, new Float64Array(part.length));
    const idx = sampleIndices(part.length, 12);
    expectClose(
      idx.map((i) => centralDiff(loss, part, i, 1e-3)),
      idx.map((i) => dPart[i]!),
      1e-9,
      1e-9,
      'dPart vs finite differences',
    );
  });

  it('refuses a slice outside the whole', async () => {
    await expect(planConcat(gpu(), { B: 1, C: 4, N: 2, Ctot: 6, c0: 3 }, {})).rejects.toThrow(/outside/);
  });
});
