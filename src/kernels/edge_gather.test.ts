import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { centralDiff, expectClose, sampleIndices } from '../../test/numeric';
import { BufferArena } from '../gpu/arena';
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import { Rng } from '../util/random';
import { type EdgeGatherShape, planEdgeGather } from './edge_gather';
import { edgeGatherBackwardRef, edgeGatherRef } from './edge_gather.ref';

const gpu = setupGpu();

/** Random neighbour lists with repeats (self first, as a kNN gives, then any point, duplicates allowed). */
function randomIdx(B: number, N: number, k: number, rng: Rng): Int32Array {
  const idx = new Int32Array(B * N * k);
  for (let b = 0; b < B; b++)
    for (let i = 0; i < N; i++)
      for (let s = 0; s < k; s++) idx[(b * N + i) * k + s] = s === 0 ? i : rng.int(N);
  return idx;
}

/** Runs forward and backward on a channel slice of a wider buffer (Ctot channels, starting at c0). */
async function check(s: EdgeGatherShape, Ctot: number, c0: number, seed: number) {
  const ctx = gpu();
  const { B, N, k, C } = s;
  const rng = new Rng(seed);
  const wide = rng.uniformArray(B * Ctot * N, -1, 1);
  const idx = randomIdx(B, N, k, rng);
  const dE = rng.uniformArray(B * 2 * C * N * k, -1, 1);
  const dxInit = rng.uniformArray(B * Ctot * N, -1, 1);
  const shape = { ...s, offset: c0 * N, batchStride: Ctot * N };
  const arena = new BufferArena(ctx);
  const bx = createBufferFrom(ctx, wide);
  const bi = createBufferFrom(ctx, idx);
  const bE = createStorageBuffer(ctx, dE.length * 4);
  const bdE = createBufferFrom(ctx, dE);
  const bdx = createBufferFrom(ctx, dxInit);
  const op = await planEdgeGather(ctx, shape, { x: bx, idx: bi, E: bE, dE: bdE, dx: bdx }, arena, 'eg');
  await submitAndWait(ctx, (enc) => {
    op.encodeForward(enc);
    op.encodeBackward(enc);
  });
  const E = await readF32(ctx, bE, dE.length);
  const dx = await readF32(ctx, bdx, dxInit.length);
  op.destroy();
  arena.destroy();
  for (const b of [bx, bi, bE, bdE, bdx]) b.destroy();

  // The slice as a dense [B, C, N] input of the reference.
  const x = new Float64Array(B * C * N);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let n = 0; n < N; n++) x[(b * C + c) * N + n] = wide[(b * Ctot + c0 + c) * N + n]!;
  const tag = JSON.stringify(s);
  expectClose(E, edgeGatherRef(B, N, k, C, x, idx), 0, 1e-6, `E ${tag}`);
  const g = edgeGatherBackwardRef(B, N, k, C, idx, dE);
  const want = Float64Array.from(dxInit);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let n = 0; n < N; n++) {
        const o = (b * Ctot + c0 + c) * N + n;
        want[o] = (s.accumulateDx ? dxInit[o]! : 0) + g[(b * C + c) * N + n]!;
      }
  expectClose(dx, want, 1e-5, 1e-5, `dx ${tag}`);
  // Central differences of Σ E·dE through the reference.
  const loss = () => edgeGatherRef(B, N, k, C, x, idx).reduce((a, v, i) => a + v * dE[i]!, 0);
  for (const i of sampleIndices(x.length, 6, seed)) {
    expect(g[i], `fd ${i}`).toBeCloseTo(centralDiff(loss, x, i, 1e-3), 5);
  }
}

describe('edge gather (shaders/edge_gather.wgsl)', () => {
  it.each([
    [{ B: 1, N: 1, k: 1, C: 1 }, 1, 0],
    [{ B: 2, N: 13, k: 5, C: 3 }, 3, 0],
    [{ B: 3, N: 37, k: 11, C: 7, accumulateDx: true }, 19, 5],
    [{ B: 2, N: 67, k: 40, C: 2 }, 5, 3], // part segmentation's k
    [{ B: 1, N: 300, k: 3, C: 4 }, 4, 0], // several adjacency chunks
  ] as [EdgeGatherShape, number, number][])('%j (slice of %i channels at %i)', async (s, Ctot, c0) => {
    await check(s, Ctot, c0, 7 + s.N + s.C);
  });

  it('refuses k above the points and a too-small x', async () => {
    const ctx = gpu();
    const arena = new BufferArena(ctx);
    const b = createStorageBuffer(ctx, 4096);
    await expect(
      planEdgeGather(ctx, { B: 1, N: 4, k: 5, C: 1 }, { x: b, idx: b, E: b }, arena, 'x'),
    ).rejects.toThrow(/4 points per cloud are fewer than k = 5/);
    await expect(
      planEdgeGather(ctx, { B: 1, N: 100, k: 2, C: 20 }, { x: b, idx: b, E: b }, arena, 'y'),
    ).rejects.toThrow(/x holds 4096 bytes/);
    arena.destroy();
    b.destroy();
  });
});
