import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { checkGradients, checkOp, type OpSpec, withBuffers } from '../../test/op-check';
import { BufferArena } from '../gpu/arena';
import { type EdgeGatherOp, planEdgeGather } from './edge_gather';
import { edgeGatherBackwardRef, edgeGatherRef } from './edge_gather.ref';

const gpu = setupGpu();

/** A channel slice [B, C, N] at channel c0 of a [B, Ctot, N] buffer, and the graph's shape. */
interface Case {
  B: number;
  N: number;
  k: number;
  C: number;
  Ctot: number;
  c0: number;
  accumulateDx?: boolean;
}

/** The slice as a dense [B, C, N] array (float64 when x is, for the differences). */
function slice(s: Case, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.B * s.C * s.N);
  for (let b = 0; b < s.B; b++)
    for (let c = 0; c < s.C; c++)
      for (let n = 0; n < s.N; n++) out[(b * s.C + c) * s.N + n] = x[(b * s.Ctot + s.c0 + c) * s.N + n]!;
  return out;
}

const edgeGather: OpSpec<Case, EdgeGatherOp> = {
  name: 'edge gather',
  data(s, rng) {
    const nk = s.N * s.k;
    // Neighbour lists with repeats: self first, as a kNN gives, then any point.
    const idx = new Int32Array(s.B * nk);
    for (let b = 0; b < s.B; b++)
      for (let i = 0; i < s.N; i++)
        for (let q = 0; q < s.k; q++) idx[(b * s.N + i) * s.k + q] = q === 0 ? i : rng.int(s.N);
    return {
      x: rng.uniformArray(s.B * s.Ctot * s.N, -1, 1), // [B, Ctot, N]
      idx, // [B, N, k]
      E: new Float32Array(s.B * 2 * s.C * nk), // [B, 2C, N·k]
      dE: rng.uniformArray(s.B * 2 * s.C * nk, -1, 1),
      dx: rng.uniformArray(s.B * s.Ctot * s.N, -1, 1), // the base it adds into, or overwrites
    };
  },
  async plan(ctx, s, b) {
    const arena = new BufferArena(ctx);
    const op = await planEdgeGather(
      ctx,
      {
        B: s.B,
        N: s.N,
        k: s.k,
        C: s.C,
        offset: s.c0 * s.N,
        batchStride: s.Ctot * s.N,
        accumulateDx: s.accumulateDx,
      },
      { x: b.x!, idx: b.idx!, E: b.E!, dE: b.dE, dx: b.dx },
      arena,
      'eg',
    );
    return {
      ...op,
      destroy() {
        op.destroy();
        arena.destroy();
      },
    };
  },
  forward: {
    ref: (s, d) => ({ E: edgeGatherRef(s.B, s.N, s.k, s.C, slice(s, d.x!), d.idx!) }),
    tol: [1e-7, 1e-6],
  },
  backward: {
    // Channels outside the slice keep their contents; inside, the gradient (+ the base when accumulating).
    ref(s, d) {
      const g = edgeGatherBackwardRef(s.B, s.N, s.k, s.C, d.idx!, d.dE!);
      const dx = Float64Array.from(d.dx!);
      for (let b = 0; b < s.B; b++)
        for (let c = 0; c < s.C; c++)
          for (let n = 0; n < s.N; n++) {
            const o = (b * s.Ctot + s.c0 + c) * s.N + n;
            dx[o] = (s.accumulateDx ? dx[o]! : 0) + g[(b * s.C + c) * s.N + n]!;
          }
      return { dx };
    },
    // A sum of about 2k + in-degree terms.
    tol: (s) => [1e-5 * Math.sqrt(4 * s.k) + 1e-6, 1e-5],
  },
  gradients: { cotangents: { E: 'dE' }, inputs: { x: 'dx' }, eps: 1e-3, samples: 16, tol: [1e-6, 1e-5] },
};

describe('edge gather (shaders/edge_gather.wgsl)', () => {
  const cases: Case[] = [
    { B: 1, N: 1, k: 1, C: 1, Ctot: 1, c0: 0 },
    { B: 2, N: 13, k: 5, C: 3, Ctot: 3, c0: 0 },
    { B: 3, N: 37, k: 11, C: 7, Ctot: 19, c0: 5, accumulateDx: true },
    { B: 2, N: 67, k: 40, C: 2, Ctot: 5, c0: 3 }, // part segmentation's k
    { B: 1, N: 300, k: 3, C: 4, Ctot: 4, c0: 0 }, // several adjacency chunks
  ];
  it.each(cases)('forward and backward as the reference: %j', async (s) => {
    await checkOp(gpu(), edgeGather, s, { seed: 7 + s.N });
  });

  it.each([cases[1]!, cases[2]!])('the reference backward matches central differences: %j', (s) => {
    expect(checkGradients(edgeGather, s, 3)).toBeGreaterThan(10);
  });

  it('refuses k above the points and a too-small x', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    await withBuffers(ctx, { b: new Float32Array(1024) }, async ({ b }) => {
      await expect(
        planEdgeGather(ctx, { B: 1, N: 4, k: 5, C: 1 }, { x: b!, idx: b!, E: b! }, arena, 'x'),
      ).rejects.toThrow(/4 points per cloud are fewer than k = 5/);
      await expect(
        planEdgeGather(ctx, { B: 1, N: 100, k: 2, C: 20 }, { x: b!, idx: b!, E: b! }, arena, 'y'),
      ).rejects.toThrow(/x holds 4096 bytes/);
    });
    arena.destroy();
  });
});
