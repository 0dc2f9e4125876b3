import type { SvmKind } from '../../eval/classifier';
import { defaultFewShotC, fewShotEval, REFERENCE_FEWSHOT } from '../../eval/fewshot';
import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { readSplit, required } from '../npy-inputs';
import { SVM_FLAGS } from '../svm-flags';

export const fewshotFeatures = defineCommand({
  name: 'fewshot-features',
  summary: 'N-way K-shot episodes on frozen features (.npy), mean/std accuracy as JSON',
  flags: {
    'train-features': { type: 'string', help: 'train features, float32/float64 .npy of shape [n, d]' },
    'train-labels': { type: 'string', help: 'train labels, integer .npy of shape [n] or [n, 1]' },
    'test-features': {
      type: 'string',
      help: 'test features, .npy [m, d] (not used by --protocol reference)',
    },
    'test-labels': { type: 'string', help: 'test labels, .npy [m] or [m, 1]' },
    way: { type: 'int', default: 5, min: 2, help: 'classes per episode (N)' },
    shot: { type: 'int', default: 10, min: 1, help: 'support examples per class (K)' },
    query: { type: 'int', default: 20, min: 1, help: 'queries per class' },
    episodes: { type: 'int', default: 10, min: 1, help: 'episodes' },
    seed: { type: 'int', default: 0, help: 'seed of the episode draw' },
    protocol: {
      type: 'string',
      default: 'ours',
      choices: ['ours', 'reference'],
      help: "ours: queries from test; reference: support and queries from train (upstream's script)",
    },
    C: {
      type: 'number',
      help: `SVM regularisation C (default ${REFERENCE_FEWSHOT.C} under --protocol reference, sklearn SVC's default as eval_fewshot.py; else 0.01)`,
    },
    svm: SVM_FLAGS.svm,
  },
  async run({ flags }, io) {
    const reference = flags.protocol === 'reference';
    required(flags, 'train-features', 'train-labels', ...(reference ? [] : ['test-features', 'test-labels']));
    if (flags.C !== undefined && !(flags.C > 0))
      throw new UsageError(`--C must be positive (got ${flags.C})`);
    const train = readSplit(
      flags['train-features']!,
      'train-features',
      flags['train-labels']!,
      'train-labels',
    );
    const test = reference
      ? null
      : readSplit(flags['test-features']!, 'test-features', flags['test-labels']!, 'test-labels');
    const r = fewShotEval(train, test, {
      way: flags.way!,
      shot: flags.shot!,
      query: flags.query,
      episodes: flags.episodes,
      seed: flags.seed,
      protocol: reference ? 'reference' : 'ours',
      C: flags.C ?? defaultFewShotC(reference ? 'reference' : 'ours'),
      classifier: flags.svm as SvmKind,
    });
    if (r.excluded.length) {
      const list = r.excluded.map((c) => c.label).join(', ');
      io.err(
        `crosspoint fewshot-features: note: classes ${list} have too few examples and were left out of the draw\n`,
      );
    }
    const out: Record<string, unknown> = { mean: r.mean, std: r.std, accs: r.accs };
    if (r.excluded.length) out.excluded = r.excluded;
    Object.assign(out, { protocol: reference ? 'reference' : 'ours', classifier: r.classifier, C: r.C });
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  },
});
