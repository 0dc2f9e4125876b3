import type { FewShotParams } from '../worker/protocol';

/**
 * The few-shot form's defaults for a sample set. 5-way 1-shot with one query per class scores
 * each episode on 5 answers (accuracy in steps of 20 %), so ten such episodes cannot tell a
 * trained encoder from a random one. The defaults aim at 5-way 5-shot, 10 queries per class,
 * bounded by what the set holds per class (support comes from the train split, queries from the
 * test split), and then take enough episodes for about TARGET_QUERIES answers in all: the
 * standard error of the mean accuracy is then at most √(0.25 / 200) ≈ 3.5 points, small next to
 * the gap between a trained and a random encoder.
 */
export const FEWSHOT_AIM = { way: 5, shot: 5, query: 10 } as const;
export const TARGET_QUERIES = 200;
export const MIN_EPISODES = 20;
export const MAX_EPISODES = 100;

export interface SplitCounts {
  /** Objects per class in the train and test splits. */
  trainCounts: readonly number[];
  testCounts: readonly number[];
}

/** The k-th largest of `xs` (k ≥ 1), or 0 when there are fewer than k. */
function kthLargest(xs: readonly number[], k: number): number {
  return [...xs].sort((a, b) => b - a)[k - 1] ?? 0;
}

export function fewShotDefaults(s: SplitCounts, seed = 0): FewShotParams {
  const classes = s.trainCounts.map((t, c) => ({ train: t, test: s.testCounts[c] ?? 0 }));
  const usable = classes.filter((c) => c.train >= 1 && c.test >= 1);
  // N-way needs N classes; at least 2 so that an episode is a choice.
  const way = Math.max(2, Math.min(FEWSHOT_AIM.way, usable.length));
  // As many shots as `way` classes can all give, then as many queries as `way` of those can give.
  const shot = Math.max(
    1,
    Math.min(
      FEWSHOT_AIM.shot,
      kthLargest(
        usable.map((c) => c.train),
        way,
      ),
    ),
  );
  const withShots = usable.filter((c) => c.train >= shot);
  const query = Math.max(
    1,
    Math.min(
      FEWSHOT_AIM.query,
      kthLargest(
        withShots.map((c) => c.test),
        way,
      ),
    ),
  );
  const episodes = Math.min(MAX_EPISODES, Math.max(MIN_EPISODES, Math.ceil(TARGET_QUERIES / (way * query))));
  return { way, shot, query, episodes, seed };
}
