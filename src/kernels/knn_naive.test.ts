import { describe, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type OpSpec } from '../../test/op-check';
import type { KnnOp, KnnShape } from './knn';
import { knnRef } from './knn.ref';
import { planKnnNaive } from './knn_naive';

const gpu = setupGpu();

/** Integer coordinates in [−4, 4]: exact distances and ties, so indices must match slot for slot. */
const knnNaive: OpSpec<KnnShape, KnnOp> = {
  name: 'knn_naive',
  data(s, rng) {
    const len = (s.offset ?? 0) + (s.batchStride ?? s.C * s.N) * (s.B - 1) + s.C * s.N;
    return {
      x: Float32Array.from({ length: len }, () => rng.int(9) - 4), // [B, C, N] slice
      idx: new Uint32Array(s.B * s.N * s.k).fill(7777), // [B, N, k]
    };
  },
  plan: (ctx, s, b) => planKnnNaive(ctx, s, { x: b.x!, idx: b.idx! }),
  forward: { encode: (op, enc) => op.encode(enc), ref: (s, d) => ({ idx: knnRef(s, d.x!) }), tol: [0, 0] },
};

// The benchmark's baseline must compute the same thing as the kernel it is compared with.
describe('naive kNN baseline (shaders/knn_naive.wgsl)', () => {
  const cases: KnnShape[] = [
    { B: 2, N: 29, C: 3, k: 29 },
    { B: 3, N: 53, C: 5, k: 20, offset: 2 * 53, batchStride: 9 * 53 },
  ];
  it.each(cases.map((s) => [JSON.stringify(s), s] as const))(
    'integer coordinates, exact ties: %s',
    async (_n, s) => {
      await checkOp(gpu(), knnNaive, s, { seed: 3 });
    },
  );
});
