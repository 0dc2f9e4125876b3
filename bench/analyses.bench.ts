import { pca2 } from '../src/eval/pca';
import { umap2 } from '../src/eval/umap';
import { Rng } from '../src/util/random';
import { budgetFor, medianWall, type TimingBudget } from './compare/timing';
import type { BenchSuite } from './suite';

/**
 * The Embeddings panel's projections, on the CPU of the worker that also drives training: total
 * time and the longest stretch between two pauses (how long a training step or another request
 * can wait). UMAP with exact neighbour lists in slices against umap-js's own NN-descent search;
 * PCA for scale. Rows: 8 clusters of unit-norm features, like the embeddings.
 */
export const analysesBench: BenchSuite = async (_ctx, report) => {
  const sizes: [number, number][] = report.options.quick
    ? [[96, 256]]
    : [
        [96, 256],
        [96, 512],
        [200, 256],
      ];
  const budget = budgetFor(report.options.quick);
  for (const [n, d] of sizes) {
    const x = clusteredRows(n, d, 8, 7);
    const umap = (neighbours: 'exact' | 'nn-descent') =>
      timeBlocks(budget, (pause) => umap2(x, n, d, { pause, neighbours }));
    const exact = await umap('exact');
    const descent = await umap('nn-descent');
    const pca = await timeBlocks(budget, async () => pca2(x, n, d));
    report.add({
      section: 'analyses',
      name: `${n}×${d}`,
      figures: {
        'UMAP exact ms': exact.totalMs,
        'UMAP exact longest block ms': exact.longestMs,
        'UMAP nn-descent ms': descent.totalMs,
        'UMAP nn-descent longest block ms': descent.longestMs,
        'PCA ms': pca.totalMs,
      },
      ratios: { 'longest block nn-descent/exact': descent.longestMs / exact.longestMs },
    });
  }
};

/**
 * Median total time (medianWall: a warm-up run of each path first, then timed runs) and median
 * longest stretch between two pause() calls over the same timed runs.
 */
async function timeBlocks(
  budget: TimingBudget,
  work: (pause: () => Promise<void>) => Promise<unknown>,
): Promise<{ totalMs: number; longestMs: number }> {
  const longest: number[] = []; // one per run, the warm-up's first
  const total = await medianWall(async () => {
    let last = performance.now();
    let worst = 0;
    await work(async () => {
      worst = Math.max(worst, performance.now() - last);
      await new Promise((resolve) => setTimeout(resolve, 0)); // as the worker yields
      last = performance.now();
    });
    longest.push(Math.max(worst, performance.now() - last));
  }, budget);
  const timed = longest.slice(1).sort((a, b) => a - b);
  return { totalMs: total.ms, longestMs: timed[Math.floor(timed.length / 2)]! };
}

/** [n, d] unit rows around `classes` random centres. */
function clusteredRows(n: number, d: number, classes: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: d }, () => rng.next() * 2 - 1));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[i % classes]!;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      x[i * d + j] = c[j]! + 0.6 * (rng.next() * 2 - 1);
      norm += x[i * d + j]! ** 2;
    }
    for (let j = 0; j < d; j++) x[i * d + j]! /= Math.sqrt(norm);
  }
  return x;
}
