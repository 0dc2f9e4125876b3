import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkOp, type HostArray, type OpSpec, withBuffers } from '../../test/op-check';
import { GpuLimitError } from '../gpu/errors';
import { Rng } from '../util/random';
import { KNN_MAX_K, type KnnOp, type KnnShape, planKnn } from './knn';
import { knnInputIndex, knnRef, knnRowRef } from './knn.ref';

const gpu = setupGpu();

/** Elements the input buffer must hold for shape s. */
function inputLength(s: KnnShape): number {
  return (s.offset ?? 0) + (s.batchStride ?? s.C * s.N) * (s.B - 1) + s.C * s.N;
}

/** Integer coordinates in [−r, r]: every f32 distance is exact, so ties must resolve exactly as in float64. */
function integerInput(s: KnnShape, rng: Rng, r: number): Float32Array {
  const x = new Float32Array(inputLength(s));
  for (let i = 0; i < x.length; i++) x[i] = rng.int(2 * r + 1) - r;
  return x;
}

function expectExact(s: KnnShape, x: Float32Array, got: Uint32Array, what: string) {
  const want = knnRef(s, x);
  for (let q = 0; q < s.B * s.N; q++) {
    const g = [...got.subarray(q * s.k, (q + 1) * s.k)];
    const w = [...want.subarray(q * s.k, (q + 1) * s.k)];
    expect(g, `${what}: query ${q} (cloud ${Math.floor(q / s.N)}, point ${q % s.N})`).toEqual(w);
  }
}

/**
 * Float inputs: every query must match the reference except near-ties. A differing query must
 * list k distinct in-range indices whose exact distances, in the order given, equal the exact
 * k smallest distances within relTol of the larger one. f32 sums of C non-negative squares of exact
 * differences are within about (C + 2)·2⁻²⁴ relative of the true distance, so two distances closer
 * than twice that may swap. Returns the number of differing queries.
 */
function expectNearTiesOnly(s: KnnShape, x: Float32Array, got: Uint32Array, what: string): number {
  const relTol = 2 * (s.C + 2) * 2 ** -24;
  const want = knnRef(s, x);
  let differing = 0;
  for (let q = 0; q < s.B * s.N; q++) {
    const b = Math.floor(q / s.N);
    let same = true;
    for (let r = 0; r < s.k; r++) if (got[q * s.k + r] !== want[q * s.k + r]) same = false;
    if (same) continue;
    differing++;
    const row = knnRowRef(s, x, b, q % s.N);
    const g = [...got.subarray(q * s.k, (q + 1) * s.k)];
    expect(new Set(g).size, `${what}: query ${q} repeats an index`).toBe(s.k);
    for (let r = 0; r < s.k; r++) {
      expect(g[r]!, `${what}: query ${q} slot ${r} out of range`).toBeLessThan(s.N);
      const dg = row[g[r]!]!;
      const dw = row[want[q * s.k + r]!]!;
      const gap = Math.abs(dg - dw);
      expect(
        gap,
        `${what}: query ${q} slot ${r}: distance ${dg} vs exact ${dw} is not a near-tie`,
      ).toBeLessThanOrEqual(relTol * Math.max(dg, dw));
    }
  }
  // Near-ties are rare on random inputs: allow 2 or 1 % of queries.
  expect(differing, `${what}: near-tie queries`).toBeLessThanOrEqual(Math.max(2, 0.01 * s.B * s.N));
  return differing;
}

interface Case extends KnnShape {
  /** Integer coordinates in [−r, r] (exact distances, exact ties); random floats in [−1, 1) when absent. */
  r?: number;
}

const knnShape = ({ r: _r, ...s }: Case): KnnShape => s;

/** The kNN on x [B, C, N] (a slice: offset, batchStride); idx starts as garbage so unwritten slots show. */
const knn: OpSpec<Case, KnnOp> = {
  name: 'knn',
  data: (s, rng) => ({
    x: s.r === undefined ? rng.uniformArray(inputLength(s), -1, 1) : integerInput(s, rng, s.r),
    idx: new Uint32Array(s.B * s.N * s.k).fill(0xdeadbeef), // [B, N, k]
  }),
  plan: (ctx, s, b) => planKnn(ctx, knnShape(s), { x: b.x!, idx: b.idx! }),
  forward: {
    encode: (op, enc) => op.encode(enc),
    ref: (s, d) => ({ idx: knnRef(knnShape(s), d.x!) }),
    tol: [0, 0],
    // Integer inputs: slot for slot. Floats: exact except near-ties, provably within f32 rounding.
    check(_b, got, _want, s, d) {
      const what = JSON.stringify(s);
      if (s.r === undefined) expectNearTiesOnly(knnShape(s), d.x as Float32Array, got as Uint32Array, what);
      else expectExact(knnShape(s), d.x as Float32Array, got as Uint32Array, what);
    },
  },
};

const idxOf = (got: { forward: Record<string, HostArray> }) => got.forward.idx as Uint32Array;

describe('knn (shaders/knn.wgsl)', () => {
  // Integer coordinates: distances are exact in f32 and full of exact ties, so the GPU must
  // reproduce the reference (lower index first) slot for slot.
  const exactCases: [KnnShape, number][] = [
    [{ B: 1, N: 1, C: 3, k: 1 }, 2],
    [{ B: 2, N: 13, C: 5, k: 13 }, 3], // k = N
    [{ B: 1, N: 257, C: 1, k: 20 }, 50], // C = 1, N prime: many ties
    [{ B: 2, N: 97, C: 3, k: 16, splits: 3 }, 4], // merge path with a short last split
    [{ B: 3, N: 131, C: 64, k: 20 }, 3],
    [{ B: 1, N: 101, C: 128, k: 64, splits: 4 }, 2], // C spans two channel chunks; k at the maximum
    [{ B: 2, N: 70, C: 6, k: 40 }, 2], // part segmentation's k
    [{ B: 1, N: 67, C: 256, k: 20 }, 4], // widest layer
    [{ B: 2, N: 33, C: 7, k: 5, splits: 16 }, 2], // more splits than tiles: rounded down
    // A channel slice of a [B, 40, N] concatenation: offset 7·N, batchStride 40·N.
    [{ B: 3, N: 61, C: 9, k: 10, offset: 7 * 61, batchStride: 40 * 61 }, 3],
    [{ B: 2, N: 61, C: 9, k: 10, offset: 7 * 61, batchStride: 40 * 61, splits: 2 }, 3],
  ];
  it.each(exactCases.map(([s, r], i) => [JSON.stringify(s), s, r, i] as const))(
    'integer coordinates, exact ties: %s',
    async (_name, s, r, i) => {
      await checkOp(gpu(), knn, { ...s, r }, { seed: 10 + i });
    },
  );

  it('plans more than one split when asked and falls back to whole tiles', async () => {
    const got = await checkOp(gpu(), knn, { B: 1, N: 100, C: 2, k: 3, splits: 16, r: 5 });
    expect(got.op.splits).toBe(4); // 100 points in tiles of 32
  });

  // Random floats: exact except near-ties, which must be provably within f32 rounding.
  const floatCases: KnnShape[] = [
    { B: 2, N: 509, C: 3, k: 20 },
    { B: 2, N: 300, C: 64, k: 20, splits: 5 },
    { B: 1, N: 200, C: 128, k: 64 },
    { B: 1, N: 4096, C: 3, k: 20 }, // the largest point count
  ];
  it.each(floatCases.map((s, i) => [JSON.stringify(s), s, i] as const))(
    'random floats, near-ties only: %s',
    async (_name, s, i) => {
      await checkOp(gpu(), knn, s, { seed: 200 + i });
    },
  );

  // Point dropout replaces dropped points by copies of point 0: exact ties, lowest index first.
  it.each([1, 3])('copies of point 0 tie exactly, lowest index first (splits %i)', async (splits) => {
    const s: KnnShape = { B: 2, N: 211, C: 3, k: 20, splits };
    const rng = new Rng(7);
    const x = rng.uniformArray(inputLength(s), -1, 1);
    const copies: number[][] = [];
    for (let b = 0; b < s.B; b++) {
      const group = [0];
      for (let n = 1; n < s.N; n++) {
        if (rng.next() < 0.4) {
          for (let c = 0; c < s.C; c++) x[knnInputIndex(s, b, c, n)] = x[knnInputIndex(s, b, c, 0)]!;
          group.push(n);
        }
      }
      copies.push(group);
    }
    const idx = idxOf(await checkOp(gpu(), knn, s, { data: { ...knn.data(s, rng), x } }));
    for (let b = 0; b < s.B; b++) {
      const group = copies[b]!;
      const inGroup = new Set(group);
      for (let n = 0; n < s.N; n++) {
        const list = [...idx.subarray((b * s.N + n) * s.k, (b * s.N + n + 1) * s.k)];
        const picked = list.filter((j) => inGroup.has(j));
        // The copies a query keeps are the lowest-indexed ones, in index order.
        expect(picked, `cloud ${b} point ${n}`).toEqual(group.slice(0, picked.length));
        // A copy's own neighbours are all copies (distance 0), so it lists the first k of them.
        if (inGroup.has(n)) expect(list).toEqual(group.slice(0, s.k));
      }
    }
  });

  it('is deterministic: two runs give identical indices', async () => {
    const s: KnnShape = { B: 2, N: 150, C: 16, k: 12, splits: 2 };
    const a = await checkOp(gpu(), knn, s, { seed: 5 });
    const b = await checkOp(gpu(), knn, s, { seed: 5 });
    expect(idxOf(b)).toEqual(idxOf(a));
  });

  it('rejects k > KNN_MAX_K (64) and N > 4096 with GpuLimitError, and k > N', async () => {
    const ctx = gpu();
    const data = { x: new Float32Array(3 * 5000), idx: new Uint32Array(5000 * (KNN_MAX_K + 1)) };
    await withBuffers(ctx, data, async ({ x, idx }) => {
      const plan = (s: KnnShape) => planKnn(ctx, s, { x: x!, idx: idx! });
      await expect(plan({ B: 1, N: 100, C: 3, k: KNN_MAX_K + 1 })).rejects.toThrow(GpuLimitError);
      await expect(plan({ B: 1, N: 100, C: 3, k: KNN_MAX_K + 1 })).rejects.toThrow(/kNN maximum k.*lower k/);
      await expect(plan({ B: 1, N: 4097, C: 3, k: 20 })).rejects.toThrow(/kNN maximum points.*--points/);
      await expect(plan({ B: 1, N: 10, C: 3, k: 11 })).rejects.toThrow(
        /10 points per cloud are fewer than k = 11/,
      );
      await expect(plan({ B: 1, N: 100, C: 3, k: 5, offset: 14_800 })).rejects.toThrow(/x holds/);
    });
  });
});
