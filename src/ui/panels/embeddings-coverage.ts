import type { ObjectInfo } from '../../worker/protocol';

/**
 * Which shapes of the sample set the Embeddings panel shows, and why the others are not there.
 * The store asks the worker for at most a fixed number of shapes per refresh; the worker then
 * takes an even spread over the set (object i·M/N for i < N, the set being stored class by
 * class), train and test alike, so when the set is larger than the limit a few shapes, spread over
 * the classes, are left out.
 */
export interface Coverage {
  shown: number;
  total: number;
  /** Ids of the shapes left out, in set order. */
  left: string[];
  /** One short line for the panel: "N of M shapes" and, when some are missing, how many. */
  text: string;
  /** Which are left out and why, for a tooltip (empty when none is). */
  detail: string;
}

export function embeddingsCoverage(embedded: readonly number[], all: readonly ObjectInfo[]): Coverage {
  const shown = embedded.length;
  const total = all.length;
  const inSet = new Set(embedded);
  const left = all.flatMap((o, i) => (inSet.has(i) ? [] : [o.id]));
  if (left.length === 0)
    return { shown, total, left, text: `All ${shown} shapes of the sample set`, detail: '' };
  const listed =
    left.length <= 12 ? left.join(', ') : `${left.slice(0, 12).join(', ')} and ${left.length - 12} more`;
  return {
    shown,
    total,
    left,
    text: `${shown} of ${total} shapes (an even spread over the set)`,
    detail:
      `A refresh embeds at most ${shown} shapes, taken evenly over the set (train and test alike), ` +
      `so ${left.length} ${left.length === 1 ? 'is' : 'are'} left out: ${listed}.`,
  };
}
