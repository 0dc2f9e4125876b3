import type { SvmKind } from '../../eval/classifier';
import { linearEval } from '../../eval/linear-eval';
import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { readSplit, required } from '../npy-inputs';
import { convergenceWarning, SVM_FLAGS } from '../svm-flags';

export const svm = defineCommand({
  name: 'svm',
  summary: 'linear SVM on frozen features (.npy): train on one split, accuracy on both, as JSON',
  flags: {
    'train-features': { type: 'string', help: 'train features, float32/float64 .npy of shape [n, d]' },
    'train-labels': { type: 'string', help: 'train labels, integer .npy of shape [n] or [n, 1]' },
    'test-features': { type: 'string', help: 'test features, .npy [m, d]' },
    'test-labels': { type: 'string', help: 'test labels, .npy [m] or [m, 1]' },
    C: { type: 'number', default: 0.01, help: 'SVM regularisation C' },
    ...SVM_FLAGS,
    seed: { type: 'int', default: 0, help: 'seed of the coordinate-descent permutations (linearsvc)' },
    standardize: { type: 'boolean', help: "standardise features with the train split's mean and std" },
  },
  async run({ flags }, io) {
    required(flags, 'train-features', 'train-labels', 'test-features', 'test-labels');
    if (!(flags.C! > 0)) throw new UsageError(`--C must be positive (got ${flags.C})`);
    const train = readSplit(
      flags['train-features']!,
      'train-features',
      flags['train-labels']!,
      'train-labels',
    );
    const test = readSplit(flags['test-features']!, 'test-features', flags['test-labels']!, 'test-labels');
    const r = linearEval(train, test, {
      C: flags.C,
      seed: flags.seed,
      standardize: flags.standardize,
      classifier: flags.svm as SvmKind,
      svm: { maxIter: flags['max-iter'] },
    });
    if (r.health.note) io.err(`crosspoint svm: note: ${r.health.note}\n`);
    if (!r.converged) io.err(convergenceWarning('svm', r.classifier, flags['max-iter']));
    io.out(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  },
});
