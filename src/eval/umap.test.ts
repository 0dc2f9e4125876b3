import { describe, expect, it } from 'vitest';
import { clusters } from '../../test/clusters';
import { Rng } from '../util/random';
import { umap2 } from './umap';

describe('umap2', () => {
  it('separates well-separated clusters, the same way each time, pausing between slices', async () => {
    const { set } = clusters(new Rng(4), [12, 12, 12], 9, 0.2);
    const n = 36;
    let pauses = 0;
    const reports: number[] = [];
    const opts = {
      slice: 60,
      pause: async () => {
        pauses++;
      },
      onProgress: (done: number) => reports.push(done),
    };
    const y = await umap2(set.features, n, 9, opts);
    expect(y.length).toBe(2 * n);
    expect(y.every(Number.isFinite)).toBe(true);
    // Epoch reports climb to the total in slices of 60; the neighbour search and the graph
    // set-up pause too, so there are more pauses than epoch slices.
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.slice(0, -1).every((r, i) => r === 60 * (i + 1))).toBe(true);
    expect(pauses).toBeGreaterThanOrEqual(reports.length);
    // Every point's nearest neighbour in 2-D has its label.
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestD = Infinity;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dd = (y[2 * i]! - y[2 * j]!) ** 2 + (y[2 * i + 1]! - y[2 * j + 1]!) ** 2;
        if (dd < bestD) [best, bestD] = [j, dd];
      }
      expect(set.labels[best]).toBe(set.labels[i]);
    }
    expect(await umap2(set.features, n, 9, { slice: 1000 })).toEqual(y);
  });
});
