import { describe, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { expectClose } from '../../test/numeric';
import { createBufferFrom, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type MatmulShape, planMatmul } from './matmul';
import { matmulRef } from './matmul.ref';

const gpu = setupGpu();

async function check(s: MatmulShape, seed: number) {
  const ctx = gpu();
  const rng = new Rng(seed);
  const aLen = (s.offsetA ?? 0) + (s.strideA ?? s.M * s.K) * (s.batch - 1) + s.M * s.K;
  const bLen = (s.offsetB ?? 0) + (s.strideB ?? s.K * s.N) * (s.batch - 1) + s.K * s.N;
  const cLen = (s.offsetC ?? 0) + (s.strideC ?? s.M * s.N) * (s.batch - 1) + s.M * s.N;
  const a = rng.uniformArray(aLen);
  const b = rng.uniformArray(bLen);
  const c0 = rng.uniformArray(cLen);
  const bias = rng.uniformArray(Math.max(s.M, s.N));
  const bufs = {
    a: createBufferFrom(ctx, a),
    b: createBufferFrom(ctx, b),
    c: createBufferFrom(ctx, c0),
    bias: createBufferFrom(ctx, bias),
  };
  const op = await planMatmul(ctx, s, bufs);
  await submitAndWait(ctx, (enc) => op.encode(enc));
  const got = await readF32(ctx, bufs.c, cLen);
  const want = matmulRef(s, a, b, Float64Array.from(c0), bias);
  expectClose(got, want, 1e-5 * Math.sqrt(s.K) + 1e-6, 1e-5, `matmul ${JSON.stringify(s)}`);
  op.destroy();
  for (const buf of Object.values(bufs)) buf.destroy();
}

describe('matmul (shaders/matmul.wgsl)', () => {
  const cases: MatmulShape[] = [
    { batch: 1, M: 1, N: 1, K: 1 },
    { batch: 3, M: 17, N: 13, K: 7 },
    { batch: 2, M: 33, N: 65, K: 31, transA: true },
    { batch: 2, M: 5, N: 70, K: 19, transB: true },
    { batch: 2, M: 9, N: 11, K: 3, transA: true, transB: true, alpha: -0.5 },
    { batch: 4, M: 64, N: 37, K: 6, strideA: 0, bias: 'row' },
    { batch: 1, M: 23, N: 29, K: 41, bias: 'col', accumulate: true },
    { batch: 2, M: 7, N: 5, K: 3, offsetA: 3, offsetB: 5, offsetC: 11, strideC: 40 },
  ];
  it.each(cases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_name, s, i) => {
    await check(s, 100 + i);
  });
});
