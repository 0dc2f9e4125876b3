import type { SvmKind } from '../../eval/classifier';
import { applyScaler, fitScaler } from '../../eval/features';
import { linearEval, REFERENCE_LINEAR_EVAL } from '../../eval/linear-eval';
import type { LinearKernel } from '../../eval/svc';
import { linearKernelGpu } from '../../eval/svc-gram-gpu';
import { acquireNodeContext } from '../../gpu/node';
import { defineCommand } from '../command';
import { readLabelledSet } from '../dataset-input';
import { checkPoints, describeEncoder, EXTRACT_FLAGS, encodeSets } from '../encoder-features';
import { asInputError, MODEL_FLAGS, makeOutDir, resolveModel, writeNpyFile } from '../encoder-inputs';
import { UsageError } from '../errors';
import { required } from '../npy-inputs';
import { convergenceWarning, SVM_FLAGS } from '../svm-flags';

export const evalSvm = defineCommand({
  name: 'eval-svm',
  summary:
    'linear evaluation: encoder features of two HDF5 splits, linear SVM (default SVC), accuracy as JSON',
  flags: {
    train: { type: 'string', help: 'train split: HDF5 with `data` [n, N, 3] and `label`' },
    test: { type: 'string', help: 'test split, same layout' },
    ...MODEL_FLAGS,
    k: {
      ...MODEL_FLAGS.k,
      help: `neighbours per point (default: the weights file's metadata, else the --preset's, else ${REFERENCE_LINEAR_EVAL.k} as eval_ssl.ipynb)`,
    },
    ...EXTRACT_FLAGS,
    C: { type: 'number', default: 0.01, help: 'SVM regularisation C (the paper: 0.01)' },
    ...SVM_FLAGS,
    gram: {
      type: 'string',
      default: 'cpu',
      choices: ['cpu', 'gpu'],
      help: "svc: the train split's linear kernel in float64 on the CPU (libsvm's arithmetic) or with the GPU matmul (float32 sums; for large splits)",
    },
    standardize: { type: 'boolean', help: "standardise features with the train split's mean and std" },
    'save-features': {
      type: 'string',
      help: 'also write {train,test}_{features,labels}.npy here (for `crosspoint svm`)',
    },
  },
  async run({ flags }, io) {
    required(flags, 'train', 'test');
    if (!(flags.C! > 0)) throw new UsageError(`--C must be positive (got ${flags.C})`);
    const enc = resolveModel({ ...flags, defaultK: REFERENCE_LINEAR_EVAL.k });
    const points = flags.points!;
    checkPoints(enc, points);
    const train = await readLabelledSet(flags.train!, 'train');
    const test = await readLabelledSet(flags.test!, 'test');
    if (flags['save-features']) makeOutDir(flags['save-features']);
    const ctx = await acquireNodeContext();
    try {
      const o = { points, batch: flags.batch!, command: 'eval-svm' };
      const t0 = performance.now();
      const [ftr, fte] = await encodeSets(ctx, enc, [{ set: train }, { set: test }], o, io);
      const encodeSeconds = (performance.now() - t0) / 1000;
      if (flags['save-features']) {
        const dir = flags['save-features'];
        const d = ftr.features.length / train.n;
        writeNpyFile(dir, 'train_features.npy', ftr.features, [train.n, d]);
        writeNpyFile(dir, 'train_labels.npy', train.labels, [train.n]);
        writeNpyFile(dir, 'test_features.npy', fte.features, [test.n, d]);
        writeNpyFile(dir, 'test_labels.npy', test.labels, [test.n]);
      }
      let kernel: LinearKernel | undefined;
      if (flags.gram === 'gpu' && flags.svm === 'svc') {
        const d = ftr.features.length / train.n;
        const x = flags.standardize
          ? applyScaler(ftr.features, fitScaler(ftr.features, train.n, d))
          : ftr.features;
        kernel = await asInputError(() => linearKernelGpu(ctx, x, train.n, d));
      }
      const r = linearEval(ftr, fte, {
        kernel,
        C: flags.C,
        seed: 0,
        standardize: flags.standardize,
        classifier: flags.svm as SvmKind,
        svm: { maxIter: flags['max-iter'] },
      });
      if (r.health.note) io.err(`crosspoint eval-svm: note: ${r.health.note}\n`);
      if (!r.converged) io.err(convergenceWarning('eval-svm', r.classifier, flags['max-iter']));
      const out = {
        ...r,
        encoder: describeEncoder(enc, points),
        seconds: { encode: +encodeSeconds.toFixed(1), total: +((performance.now() - t0) / 1000).toFixed(1) },
      };
      io.out(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
