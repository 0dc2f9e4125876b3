import type { SvmKind } from '../../eval/classifier';
import {
  defaultFewShotC,
  type FewShotOptions,
  fewShotEval,
  REFERENCE_FEWSHOT,
  sampleEpisodes,
} from '../../eval/fewshot';
import { episodeRows } from '../../eval/fewshot-rows';
import { acquireNodeContext } from '../../gpu/node';
import { defineCommand } from '../command';
import { className, type LabelledSet, readLabelledSet } from '../dataset-input';
import { checkPoints, describeEncoder, EXTRACT_FLAGS, encodeSets } from '../encoder-features';
import { MODEL_FLAGS, resolveModel } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';
import { required } from '../npy-inputs';
import { SVM_FLAGS } from '../svm-flags';

/** The episode draw's own message, with class names beside the labels when the data has them. */
function withNames(e: InputError, names?: readonly string[]): InputError {
  if (!names) return e;
  return new InputError(e.message.replace(/class (\d+) has/g, (_, l) => `class ${className(+l, names)} has`));
}

export const fewshot = defineCommand({
  name: 'fewshot',
  summary: 'N-way K-shot episodes on encoder features of HDF5 splits, mean/std accuracy as JSON',
  flags: {
    train: { type: 'string', help: 'train split (support): HDF5 with `data` [n, N, 3] and `label`' },
    test: { type: 'string', help: 'test split (queries); not used by --protocol reference' },
    way: { type: 'int', default: 5, min: 2, help: 'classes per episode (N)' },
    shot: { type: 'int', default: 10, min: 1, help: 'support examples per class (K)' },
    query: { type: 'int', default: 20, min: 1, help: 'queries per class' },
    episodes: { type: 'int', default: 10, min: 1, help: 'episodes' },
    seed: {
      type: 'int',
      default: 0,
      min: 0,
      help: 'seed of the episode draw (and of the fresh encoder without --weights)',
    },
    protocol: {
      type: 'string',
      default: 'ours',
      choices: ['ours', 'reference'],
      help: "ours: queries from test; reference: support and queries from train (upstream's script)",
    },
    weights: MODEL_FLAGS.weights,
    'init-seed': {
      type: 'int',
      min: 0,
      help: 'seed of the fresh encoder without --weights (default --seed)',
    },
    k: {
      ...MODEL_FLAGS.k,
      help: `neighbours per point (default: ${REFERENCE_FEWSHOT.k} under --protocol reference, as eval_fewshot.py; else the weights file's metadata, else 20)`,
    },
    preset: MODEL_FLAGS.preset,
    points: {
      ...EXTRACT_FLAGS.points,
      default: undefined,
      help: `first N points of each cloud fed to the encoder (default ${REFERENCE_FEWSHOT.points} under --protocol reference: eval_fewshot.py feeds whole clouds; else 1024)`,
    },
    batch: EXTRACT_FLAGS.batch,
    C: {
      type: 'number',
      help: `SVM regularisation C (default ${REFERENCE_FEWSHOT.C} under --protocol reference, sklearn SVC's default as eval_fewshot.py; else 0.01)`,
    },
    svm: SVM_FLAGS.svm,
  },
  async run({ flags }, io) {
    const reference = flags.protocol === 'reference';
    required(flags, 'train', ...(reference ? [] : ['test']));
    if (flags.C !== undefined && !(flags.C > 0))
      throw new UsageError(`--C must be positive (got ${flags.C})`);
    if (flags.weights !== undefined && flags['init-seed'] !== undefined)
      throw new UsageError('give --weights or --init-seed, not both');
    const enc = resolveModel({
      weights: flags.weights,
      k: flags.k ?? (reference ? REFERENCE_FEWSHOT.k : undefined),
      preset: flags.preset,
      seed: flags.weights === undefined ? (flags['init-seed'] ?? flags.seed) : undefined,
    });
    const points = flags.points ?? (reference ? REFERENCE_FEWSHOT.points : 1024);
    checkPoints(enc, points);
    const train = await readLabelledSet(flags.train!, 'train');
    let test: LabelledSet | null = null;
    if (reference) {
      if (flags.test)
        io.err(
          'crosspoint fewshot: note: --protocol reference draws queries from --train; --test is not read\n',
        );
    } else test = await readLabelledSet(flags.test!, 'test');
    const opts: FewShotOptions = {
      way: flags.way!,
      shot: flags.shot!,
      query: flags.query,
      episodes: flags.episodes,
      seed: flags.seed,
      protocol: reference ? 'reference' : 'ours',
      C: flags.C ?? defaultFewShotC(reference ? 'reference' : 'ours'),
      classifier: flags.svm as SvmKind,
    };
    // The draw depends only on the labels: check the classes and find the clouds the episodes
    // use before encoding anything (a short class is reported in a second, not after minutes).
    let rows: { train: Int32Array; test: Int32Array };
    try {
      rows = episodeRows(train.labels, test?.labels ?? null, opts);
    } catch (e) {
      if (e instanceof InputError) throw withNames(e, train.classNames ?? test?.classNames);
      throw e;
    }
    const { excluded } = sampleEpisodes(train.labels, test?.labels ?? null, opts);
    if (excluded.length) {
      const names = train.classNames ?? test?.classNames;
      const list = excluded.map((c) => className(c.label, names)).join(', ');
      io.err(
        `crosspoint fewshot: note: classes ${list} have too few examples and were left out of the draw\n`,
      );
    }
    const ctx = await acquireNodeContext();
    try {
      const o = { points, batch: flags.batch!, command: 'fewshot' };
      const t0 = performance.now();
      const parts = [{ set: train, rows: rows.train }, ...(test ? [{ set: test, rows: rows.test }] : [])];
      const [ftr, fte] = await encodeSets(ctx, enc, parts, o, io);
      const encodeSeconds = (performance.now() - t0) / 1000;
      const r = fewShotEval(ftr!, fte ?? null, opts);
      const out: Record<string, unknown> = { mean: r.mean, std: r.std, accs: r.accs };
      if (r.excluded.length) out.excluded = r.excluded;
      Object.assign(out, {
        protocol: opts.protocol,
        classifier: r.classifier,
        C: r.C,
        way: opts.way,
        shot: opts.shot,
        query: opts.query,
        episodes: opts.episodes,
        seed: opts.seed,
        encoded: { train: rows.train.length, test: rows.test.length },
        encoder: describeEncoder(enc, points),
        seconds: { encode: +encodeSeconds.toFixed(1), total: +((performance.now() - t0) / 1000).toFixed(1) },
      });
      io.out(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
