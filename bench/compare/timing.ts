/** A wall-clock median over warm runs; every runtime in a comparison is timed by this one function. */
export interface WallTiming {
  ms: number;
  runs: number;
}

export interface TimingBudget {
  /** Time to spend on timed runs after the warm-up; a case slower than this reports one run. */
  budgetMs: number;
  maxRuns: number;
}

/**
 * Median wall time of `run` (which must resolve only when its GPU work has finished). One
 * untimed warm-up run first (compilation, uploads, allocator warm-up), then between 1 and maxRuns
 * timed runs, as many as fit the budget.
 */
export async function medianWall(run: () => Promise<void>, b: TimingBudget): Promise<WallTiming> {
  const t0 = performance.now();
  await run();
  const first = performance.now() - t0;
  const runs = Math.max(1, Math.min(b.maxRuns, Math.floor(b.budgetMs / Math.max(first, 1e-3))));
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await run();
    ts.push(performance.now() - s);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[Math.floor(ts.length / 2)]!, runs };
}

export function budgetFor(quick: boolean): TimingBudget {
  return quick ? { budgetMs: 500, maxRuns: 2 } : { budgetMs: 20_000, maxRuns: 7 };
}
