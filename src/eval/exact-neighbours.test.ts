import { describe, expect, it } from 'vitest';
import { Rng } from '../util/random';
import { exactNeighbours } from './exact-neighbours';

/** Reference: every pair's distance, the row first, the rest sorted by (distance, index). */
function neighboursRef(x: Float32Array, n: number, d: number, k: number) {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < n; i++) {
    const all = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let c = 0; c < d; c++) s += (x[i * d + c]! - x[j * d + c]!) ** 2;
      return { j, dist: j === i ? 0 : Math.sqrt(s) };
    });
    const others = all.filter((e) => e.j !== i).sort((a, b) => a.dist - b.dist || a.j - b.j);
    const list = [all[i]!, ...others].slice(0, k);
    indices.push(list.map((e) => e.j));
    distances.push(list.map((e) => e.dist));
  }
  return { indices, distances };
}

describe('exactNeighbours', () => {
  it.each([
    [1, 1, 1],
    [5, 3, 5],
    [37, 7, 15],
    [104, 256, 15],
  ])('matches the brute-force reference on n = %i rows of d = %i, k = %i', async (n, d, k) => {
    const rng = new Rng(n * 31 + d);
    const x = Float32Array.from({ length: n * d }, () => rng.next() * 2 - 1);
    const got = await exactNeighbours(x, n, d, k);
    const ref = neighboursRef(x, n, d, k);
    expect(got.indices).toEqual(ref.indices);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) expect(got.distances[i]![t]).toBeCloseTo(ref.distances[i]![t]!, 10);
    }
  });

  it('puts the row itself first even next to an identical row, and breaks ties by index', async () => {
    // Rows 0, 1 and 3 are the same point; row 2 is 5 away from them.
    const x = Float32Array.from([0, 0, 0, 0, 3, 4, 0, 0]);
    const got = await exactNeighbours(x, 4, 2, 4);
    expect(got.indices).toEqual([
      [0, 1, 3, 2],
      [1, 0, 3, 2],
      [2, 0, 1, 3],
      [3, 0, 1, 2],
    ]);
    expect(got.distances[2]).toEqual([0, 5, 5, 5]);
  });

  it('pauses between slices of rows, and the pauses change nothing', async () => {
    const rng = new Rng(9);
    const n = 50;
    const x = Float32Array.from({ length: n * 4 }, () => rng.next());
    let pauses = 0;
    const sliced = await exactNeighbours(x, n, 4, 6, { rowsPerSlice: 8, pause: async () => void pauses++ });
    expect(pauses).toBe(6); // after rows 8, 16, …, 48; none after the last row
    expect(sliced).toEqual(await exactNeighbours(x, n, 4, 6));
  });

  it('refuses a k the rows cannot give', async () => {
    const x = new Float32Array(6);
    await expect(exactNeighbours(x, 3, 2, 4)).rejects.toThrow('k = 4 neighbours needs 1 ≤ k ≤ n = 3');
    await expect(exactNeighbours(x, 3, 2, 0)).rejects.toThrow(RangeError);
  });
});
