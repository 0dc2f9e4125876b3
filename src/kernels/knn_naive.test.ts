import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { createBufferFrom, readU32, submitAndWait } from '../gpu/buffers';
import type { KnnShape } from './knn';
import { knnRef } from './knn.ref';
import { Rng } from '../util/random';
import { planKnnNaive } from './knn_naive';

const gpu = setupGpu();

// The benchmark's baseline must compute the same thing as the kernel it is compared with.
describe('naive kNN baseline (shaders/knn_naive.wgsl)', () => {
  const cases: KnnShape[] = [
    { B: 2, N: 29, C: 3, k: 29 },
    { B: 3, N: 53, C: 5, k: 20, offset: 2 * 53, batchStride: 9 * 53 },
  ];
  it.each(cases.map((s) => [JSON.stringify(s), s] as const))(
    'integer coordinates, exact ties: %s',
    async (_n, s) => {
      const ctx = gpu();
      const rng = new Rng(3);
      const len = (s.offset ?? 0) + (s.batchStride ?? s.C * s.N) * (s.B - 1) + s.C * s.N;
      const x = new Float32Array(len);
      for (let i = 0; i < len; i++) x[i] = rng.int(9) - 4;
      const bx = createBufferFrom(ctx, x);
      const bi = createBufferFrom(ctx, new Uint32Array(s.B * s.N * s.k).fill(7777));
      const op = await planKnnNaive(ctx, s, { x: bx, idx: bi });
      await submitAndWait(ctx, (enc) => op.encode(enc));
      const got = await readU32(ctx, bi, s.B * s.N * s.k);
      expect([...got]).toEqual([...knnRef(s, x)]);
      op.destroy();
      bx.destroy();
      bi.destroy();
    },
  );
});
