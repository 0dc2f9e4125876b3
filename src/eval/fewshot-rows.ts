/**
 * The rows a few-shot run reads: the union of every episode's support and query rows. The
 * episodes depend only on the labels and the options (seed included), so a caller can encode just
 * these clouds, leave the other feature rows at 0, and fewShotEval gives the same result as on
 * the features of every cloud.
 */
import { type FewShotOptions, sampleEpisodes } from './fewshot';

export function episodeRows(
  trainLabels: Int32Array,
  testLabels: Int32Array | null,
  opts: FewShotOptions,
): { train: Int32Array; test: Int32Array } {
  const reference = (opts.protocol ?? 'ours') === 'reference';
  const { episodes } = sampleEpisodes(trainLabels, reference ? null : testLabels, opts);
  const train = new Set<number>();
  const test = new Set<number>();
  for (const ep of episodes) {
    for (const r of ep.support) train.add(r);
    for (const r of ep.query) (ep.querySource === 'train' ? train : test).add(r);
  }
  const sorted = (s: Set<number>) => Int32Array.from([...s].sort((a, b) => a - b));
  return { train: sorted(train), test: sorted(test) };
}
