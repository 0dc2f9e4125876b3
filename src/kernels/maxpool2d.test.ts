import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { createBufferFrom, createStorageBuffer, readF32, readI32, submitAndWait } from '../gpu/buffers';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { type MaxPool2dShape, planMaxPool2d } from './maxpool2d';
import { maxPool2dBackwardRef, maxPool2dOutSize, maxPool2dRef } from './maxpool2d.ref';

const gpu = setupGpu();

/** One forward and one backward on the GPU. */
async function run(s: MaxPool2dShape, x: Float32Array, dy: Float32Array, dx0?: Float32Array) {
  const ctx = gpu();
  const bufs = {
    x: createBufferFrom(ctx, x),
    y: createStorageBuffer(ctx, dy.length * 4),
    argmax: createStorageBuffer(ctx, dy.length * 4),
    dy: createBufferFrom(ctx, dy),
    dx: dx0 ? createBufferFrom(ctx, dx0) : createStorageBuffer(ctx, x.length * 4),
  };
  const op = await planMaxPool2d(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc);
    op.encodeBackward(enc, { accumulate: Boolean(dx0) });
  });
  const out = {
    y: await readF32(ctx, bufs.y, dy.length),
    argmax: await readI32(ctx, bufs.argmax, dy.length),
    dx: await readF32(ctx, bufs.dx, x.length),
  };
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return out;
}

/** Distinct values (a shuffled ramp, gaps of 0.01) so finite differences never cross a tie. */
function distinct(rng: Rng, n: number): Float32Array {
  const v = rng.shuffle([...Array(n).keys()]);
  return Float32Array.from(v, (k) => (k - n / 2) * 0.01);
}

async function checkRandom(s: MaxPool2dShape, seed: number, ties: boolean) {
  const rng = new Rng(seed);
  const { Ho, Wo } = maxPool2dOutSize(s);
  const n = s.B * s.C * s.H * s.W;
  // With ties, values come from {−1, 0, 1}: many equal maxima per window, so first-wins matters.
  const x = ties ? Float32Array.from({ length: n }, () => rng.int(3) - 1) : distinct(rng, n);
  const dy = rng.uniformArray(s.B * s.C * Ho * Wo);
  const got = await run(s, x, dy);
  const ref = maxPool2dRef(s, x);
  const name = JSON.stringify(s);
  expect([...got.argmax], `argmax ${name}`).toEqual([...ref.argmax]);
  expectClose(got.y, ref.y, 0, 0, `y ${name}`);
  expectClose(got.dx, maxPool2dBackwardRef(s, dy, ref.argmax), 1e-6, 1e-6, `dx ${name}`);
  return { x, dy, got };
}

const cases: MaxPool2dShape[] = [
  { B: 3, C: 5, H: 13, W: 11, kernel: 3, stride: 2, pad: 1 }, // the ResNet stem pool
  { B: 1, C: 64, H: 16, W: 16, kernel: 3, stride: 2, pad: 1 },
  { B: 2, C: 17, H: 7, W: 6, kernel: 2, stride: 2, pad: 0 },
  { B: 1, C: 3, H: 9, W: 10, kernel: 3, stride: 1, pad: 1 }, // windows overlap heavily
  { B: 2, C: 1, H: 11, W: 13, kernel: 5, stride: 3, pad: 2 },
  { B: 1, C: 1, H: 1, W: 1, kernel: 1, stride: 1, pad: 0 },
  { B: 1, C: 2, H: 4, W: 5, kernel: 3, stride: 2, pad: 0 },
];

describe('maxpool2d (shaders/maxpool2d.wgsl)', () => {
  it('matches PyTorch on a hand-computed 4×4 example (kernel 3, stride 2, pad 1)', async () => {
    const s: MaxPool2dShape = { B: 1, C: 1, H: 4, W: 4, kernel: 3, stride: 2, pad: 1 };
    const ramp = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const a = await run(s, ramp, Float32Array.of(1, 2, 3, 4));
    expect([...a.y]).toEqual([6, 8, 14, 16]);
    expect([...a.argmax]).toEqual([5, 7, 13, 15]);
    expect([...a.dx]).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
    // All equal: the first valid element of each window wins, and its gradient lands there.
    const flat = await run(s, new Float32Array(16).fill(0.5), Float32Array.of(1, 2, 3, 4));
    expect([...flat.argmax]).toEqual([0, 1, 4, 5]);
    expect([...flat.dx]).toEqual([1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))(
    'y, argmax and dx match the reference: %s',
    async (_name, s, i) => {
      await checkRandom(s, 10 + i, false);
      await checkRandom(s, 20 + i, true);
    },
  );

  it('dx matches central differences of Σ y ⊙ G', async () => {
    const s: MaxPool2dShape = { B: 2, C: 3, H: 9, W: 7, kernel: 3, stride: 2, pad: 1 };
    const { x, dy, got } = await checkRandom(s, 30, false);
    const x64 = Float64Array.from(x);
    const f = () => maxPool2dRef(s, x64).y.reduce((acc, v, i) => acc + v * dy[i]!, 0);
    const idx = [...sampleIndices(x.length, 20, 3), ...got.argmax.slice(0, 5)]; // some that receive gradient
    const fd = idx.map((i) => centralDiff(f, x64, i, 1e-3));
    expectClose(
      idx.map((i) => got.dx[i]!),
      fd,
      1e-5,
      1e-4,
      'dx vs finite differences',
    );
  });

  it('accumulates into dx', async () => {
    const s: MaxPool2dShape = { B: 2, C: 3, H: 8, W: 9, kernel: 3, stride: 1, pad: 1 };
    const rng = new Rng(40);
    const x = distinct(rng, 2 * 3 * 8 * 9);
    const dy = rng.uniformArray(2 * 3 * 8 * 9);
    const dx0 = rng.uniformArray(x.length);
    const got = await run(s, x, dy, dx0);
    const want = maxPool2dBackwardRef(s, dy, maxPool2dRef(s, x).argmax).map((v, i) => v + dx0[i]!);
    expectClose(got.dx, want, 1e-6, 1e-6, 'dx accumulated');
  });

  it('is deterministic: the same inputs give bit-identical outputs', async () => {
    const s: MaxPool2dShape = { B: 2, C: 5, H: 12, W: 9, kernel: 3, stride: 1, pad: 1 };
    const rng = new Rng(50);
    const x = Float32Array.from({ length: 2 * 5 * 12 * 9 }, () => rng.int(3));
    const dy = rng.uniformArray(x.length);
    const a = await run(s, x, dy);
    const b = await run(s, x, dy);
    expect(new Uint32Array(a.dx.buffer)).toEqual(new Uint32Array(b.dx.buffer));
    expect(new Uint32Array(a.y.buffer)).toEqual(new Uint32Array(b.y.buffer));
    expect(a.argmax).toEqual(b.argmax);
  });

  it('names the limit it exceeds', async () => {
    const ctx = gpu();
    const tiny = createStorageBuffer(ctx, 16);
    const side = Math.ceil(Math.sqrt(ctx.limits.maxStorageBufferBindingSize / 4)) + 1;
    const s: MaxPool2dShape = { B: 1, C: 1, H: side, W: side, kernel: 3, stride: 2, pad: 1 };
    const e = await planMaxPool2d(ctx, s, { x: tiny, y: tiny, argmax: tiny }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(GpuLimitError);
    expect((e as GpuLimitError).limit).toMatch(/^max(StorageBufferBindingSize|BufferSize)$/);
    expect((e as Error).message).toContain('lower the batch size or the image size');
    tiny.destroy();
  });
});
