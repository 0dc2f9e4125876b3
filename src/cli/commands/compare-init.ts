import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SvmKind } from '../../eval/classifier';
import {
  type CompareInitResult,
  compareInit,
  DEFAULT_BUDGETS,
  type RandomInitFeatures,
} from '../../eval/compare-init';
import { generateSampleSet } from '../../data/sample-set';
import { SAMPLE_VARIATIONS, type SampleVariation } from '../../data/shape-variation';
import type { FeatureSet } from '../../eval/features';
import { acquireNodeContext } from '../../gpu/node';
import { readNpy, writeNpy } from '../../io/npy';
import { freshWeights } from '../../nn/weights';
import { defineCommand } from '../command';
import { type LabelledSet, readLabelledSet } from '../dataset-input';
import { checkPoints, describeEncoder, EXTRACT_FLAGS, encodeSets } from '../encoder-features';
import { MODEL_FLAGS, resolveModel } from '../encoder-inputs';
import { UsageError } from '../errors';
import { required } from '../npy-inputs';
import { SVM_FLAGS } from '../svm-flags';

/** Points generated per object of `--train sample` (as `crosspoint sample`'s HDF5 splits). */
const SAMPLE_POINTS = 2048;

/** "1,2,5,10" → [1, 2, 5, 10]; "all" is always added by compareInit. */
function parseBudgets(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const out = parts.map((p) => Number(p));
  const bad = parts.find((_, i) => !Number.isInteger(out[i]) || out[i]! < 1);
  if (bad !== undefined)
    throw new UsageError(`--budgets: "${bad}" is not a positive whole number (give e.g. 1,2,5,10)`);
  return out;
}

/** The generated set's train and test splits as labelled sets (no rendering: points only). */
function sampleSplits(
  perClass: number,
  testPerClass: number | undefined,
  seed: number,
  variation: SampleVariation,
) {
  const set = generateSampleSet({
    perClass,
    points: SAMPLE_POINTS,
    views: 1,
    imageSize: 1,
    seed,
    testPerClass,
    variation,
  });
  const split = (which: 'train' | 'test'): LabelledSet => {
    const objs = set.objects.filter((o) => o.split === which);
    const xyz = new Float32Array(objs.length * SAMPLE_POINTS * 3); // [n, N0, 3]
    objs.forEach((o, i) => {
      xyz.set(o.points, i * SAMPLE_POINTS * 3);
    });
    return {
      path: `generated sample set (seed ${seed}, ${perClass} per class${variation === 'hard' ? ', hard variation' : ''}) ${which}`,
      n: objs.length,
      N0: SAMPLE_POINTS,
      xyz,
      labels: Int32Array.from(objs, (o) => o.label),
      classNames: [...set.classes],
    };
  };
  return { train: split('train'), test: split('test') };
}

/**
 * Random-init features saved by what determines them (architecture, points, init seed, the
 * clouds and labels), so a later run against another checkpoint encodes only the trained model.
 */
function featureCache(dir: string | undefined, enc: { model: unknown }, points: number, sets: LabelledSet[]) {
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const h = createHash('sha256').update(JSON.stringify({ model: enc.model, points }));
  for (const s of sets) {
    h.update(new Uint8Array(s.xyz.buffer, s.xyz.byteOffset, s.xyz.byteLength));
    h.update(new Uint8Array(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength));
  }
  const key = h.digest('hex').slice(0, 16);
  const file = (seed: number, split: string) => join(dir, `random-${key}-seed${seed}-${split}.npy`);
  return {
    get(seed: number): FeatureSet[] | null {
      const files = sets.map((_, i) => file(seed, String(i)));
      if (!files.every((f) => existsSync(f))) return null;
      return files.map((f, i) => ({
        features: readNpy(new Uint8Array(readFileSync(f))).data as Float32Array,
        labels: sets[i]!.labels,
      }));
    },
    put(seed: number, parts: FeatureSet[]): void {
      parts.forEach((p, i) => {
        writeFileSync(
          file(seed, String(i)),
          writeNpy(p.features, [sets[i]!.n, p.features.length / sets[i]!.n]),
        );
      });
    },
  };
}

/** A short table of the JSON for a person reading stderr. */
function summary(r: CompareInitResult): string {
  const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
  const se = (x: number) => (Number.isNaN(x) ? '  –  ' : (100 * x).toFixed(1).padStart(5));
  const lines = ['measure                 protocol      trained  random (SE)     trained − random (SE)'];
  const row = (name: string, c: CompareInitResult['linear']['raw'], protocol: string) =>
    lines.push(
      `${name.padEnd(23)} ${protocol.padEnd(13)} ${pct(c.trained)}  ${pct(c.random.mean)} (${se(c.random.se)})  ${pct(c.diff.mean)} (${se(c.diff.se)})${c.note?.includes('degenerate') ? '  degenerate' : ''}`,
    );
  for (const p of r.label_efficiency) {
    const name = p.per_class === null ? 'linear SVM, all labels' : `${p.per_class} per class`;
    row(name, p.raw, 'raw');
    row(name, p.standardized, 'standardized');
  }
  if (r.fewshot) {
    const f = r.fewshot.params;
    row(`few-shot ${f.way}w ${f.shot}s ${f.query}q`, r.fewshot.raw, 'raw');
    row(`few-shot ${f.way}w ${f.shot}s ${f.query}q`, r.fewshot.standardized, 'standardized');
  }
  lines.push(`chance ${pct(r.chance)} %, largest test class ${pct(r.majority)} % (accuracies in %)`);
  return `${lines.join('\n')}\n`;
}

export const compareInitCommand = defineCommand({
  name: 'compare-init',
  summary:
    'what pretraining buys: trained encoder against random inits of the same architecture (linear SVM, label-efficiency curve, few-shot), paired differences as JSON',
  flags: {
    weights: MODEL_FLAGS.weights,
    train: {
      type: 'string',
      help: 'train split: HDF5 with `data` and `label`, or "sample" for the generated set’s split',
    },
    test: { type: 'string', help: 'test split, same layout (not with --train sample)' },
    seeds: { type: 'int', default: 3, min: 1, help: 'random inits (init seeds 0 … N − 1)' },
    'per-class': { type: 'int', default: 16, min: 2, help: '--train sample: objects per category' },
    'test-per-class': {
      type: 'int',
      min: 1,
      help: '--train sample: test objects per category (default 20 % of --per-class)',
    },
    'sample-seed': {
      type: 'int',
      default: 0,
      min: 0,
      help: '--train sample: seed of the generated objects (pretrain uses 1: another seed gives unseen objects)',
    },
    variation: {
      type: 'string',
      default: 'standard',
      choices: SAMPLE_VARIATIONS,
      help: '--train sample: hard stretches and turns every object at random (crosspoint sample --variation)',
    },
    k: MODEL_FLAGS.k,
    ...EXTRACT_FLAGS,
    C: { type: 'number', default: 0.01, help: 'SVM C of every fit (the paper: 0.01)' },
    svm: SVM_FLAGS.svm,
    budgets: {
      type: 'string',
      default: DEFAULT_BUDGETS.filter(Number.isFinite).join(','),
      help: 'labels per class on the label-efficiency curve (all labels is always added)',
    },
    draws: { type: 'int', default: 5, min: 1, help: 'seeded label draws per budget' },
    way: { type: 'int', default: 5, min: 2, help: 'few-shot classes per episode (at most those present)' },
    shot: {
      type: 'int',
      default: 10,
      min: 1,
      help: 'few-shot support per class (lowered to what the splits hold)',
    },
    query: { type: 'int', default: 20, min: 1, help: 'few-shot queries per class (lowered likewise)' },
    episodes: { type: 'int', default: 10, min: 0, help: 'few-shot episodes (0: no few-shot)' },
    seed: { type: 'int', default: 0, min: 0, help: 'seed of the label draws and episodes' },
    cache: {
      type: 'string',
      help: 'keep the random inits’ features in this folder and reuse them (keyed by architecture, points, seed and data)',
    },
  },
  async run({ flags }, io) {
    required(flags, 'weights', 'train');
    const fromSample = flags.train === 'sample';
    if (!fromSample) required(flags, 'test');
    else if (flags.test) throw new UsageError('--train sample brings its own test split: drop --test');
    if (!(flags.C! > 0)) throw new UsageError(`--C must be positive (got ${flags.C})`);
    const tpc = flags['test-per-class'];
    if (fromSample && tpc !== undefined && tpc >= flags['per-class']!)
      throw new UsageError(
        `--test-per-class ${tpc} leaves no train objects: give at most ${flags['per-class']! - 1}`,
      );
    const budgets = parseBudgets(flags.budgets!);
    const enc = resolveModel({ weights: flags.weights, k: flags.k });
    const points = flags.points!;
    checkPoints(enc, points);
    const { train, test } = fromSample
      ? sampleSplits(flags['per-class']!, tpc, flags['sample-seed']!, flags.variation as SampleVariation)
      : {
          train: await readLabelledSet(flags.train!, 'train'),
          test: await readLabelledSet(flags.test!, 'test'),
        };
    const ctx = await acquireNodeContext();
    try {
      const o = { points, batch: flags.batch!, command: 'compare-init' };
      const t0 = performance.now();
      const [ttr, tte] = await encodeSets(ctx, enc, [{ set: train }, { set: test }], o, io);
      const random: RandomInitFeatures[] = [];
      const cache = featureCache(flags.cache, enc, points, [train, test]);
      for (let seed = 0; seed < flags.seeds!; seed++) {
        const hit = cache?.get(seed);
        io.err(
          `random init ${seed + 1}/${flags.seeds} (seed ${seed})${hit ? ': features from the cache' : ''}\n`,
        );
        let parts = hit;
        if (!parts) {
          const fresh = { ...enc, values: freshWeights(enc.model, seed), source: `seed ${seed}` };
          parts = await encodeSets(ctx, fresh, [{ set: train }, { set: test }], o, io);
          cache?.put(seed, parts);
        }
        random.push({ seed, train: parts[0]!, test: parts[1]! });
      }
      const encodeSeconds = (performance.now() - t0) / 1000;
      let last = 0;
      const r = await compareInit({ train: ttr!, test: tte! }, random, {
        C: flags.C,
        classifier: flags.svm as SvmKind,
        budgets,
        draws: flags.draws,
        seed: flags.seed,
        fewshot:
          flags.episodes! > 0
            ? { way: flags.way!, shot: flags.shot!, query: flags.query!, episodes: flags.episodes! }
            : null,
        onProgress: (done, total) => {
          const now = performance.now();
          if (now - last > 10000 || done === total) {
            last = now;
            io.err(`fitted ${done}/${total} SVM runs\n`);
          }
        },
      });
      io.err(summary(r));
      for (const n of r.notes) io.err(`crosspoint compare-init: note: ${n}\n`);
      const out = {
        ...r,
        data: {
          train: train.path,
          test: test.path,
          ...(fromSample
            ? { per_class: flags['per-class'], sample_seed: flags['sample-seed'], variation: flags.variation }
            : {}),
        },
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
