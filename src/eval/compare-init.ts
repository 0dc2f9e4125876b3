/**
 * What pretraining buys: a trained encoder's frozen features against those of random inits of
 * the same architecture (several init seeds), on the paper's linear SVM with every label, on a
 * label-efficiency curve (1, 2, 5, 10 and all labels per class, several seeded draws each) and
 * on few-shot episodes. Every measure runs twice, side by side: the paper's protocol (SVC,
 * C = 0.01, raw features) and the same on features standardised with the fitting rows'
 * statistics. Trained and random inits see the same draws and episodes, so the differences are
 * paired (paired-difference.ts: by draw and by init seed), and every fit whose SVM predicts a
 * single class is counted and said (svm-health.ts). Pure CPU on features the caller extracted.
 */
import { InputError } from '../util/errors';
import { DEFAULT_SVM, type SvmKind } from './classifier';
import { checkFeatureSet, type FeatureSet, gatherRows } from './features';
import { eligibleClasses, type FewShotOptions, fewShotEval } from './fewshot';
import { drawLabelled } from './label-draws';
import { linearEval } from './linear-eval';
import { type PairedGrid, pairedGrid } from './paired-difference';
import type { SvmHealth } from './svm-health';

/** One encoder's features of the two splits. */
export interface SplitFeatures {
  train: FeatureSet;
  test: FeatureSet;
}

export interface RandomInitFeatures extends SplitFeatures {
  /** The init seed of freshWeights. */
  seed: number;
}

export const PROTOCOLS = ['raw', 'standardized'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Labels per class on the curve; Infinity is "all". */
export const DEFAULT_BUDGETS: readonly number[] = [1, 2, 5, 10, Number.POSITIVE_INFINITY];

export interface FewShotWish {
  way: number;
  shot: number;
  query: number;
  episodes: number;
}

export const DEFAULT_FEWSHOT: FewShotWish = { way: 5, shot: 10, query: 20, episodes: 10 };

export interface CompareInitOptions {
  /** SVM C of every fit (default 0.01, the paper's). */
  C?: number;
  classifier?: SvmKind;
  /** Labels per class on the curve (default 1, 2, 5, 10, all). */
  budgets?: readonly number[];
  /** Seeded draws per budget (default 5; "all" is one). */
  draws?: number;
  /** Wanted few-shot episodes (shrunk to what the splits allow); null skips few-shot. */
  fewshot?: FewShotWish | null;
  /** Seed of the label draws and episodes (default 0). */
  seed?: number;
  /** Lets other work in between fits (the worker yields to its event loop). */
  pause?: () => Promise<void>;
  onProgress?: (done: number, total: number) => void;
}

/** Degenerate fits among those of one side. */
export interface FitCount {
  fits: number;
  /** Fits whose SVM predicted one class for every row. */
  single_class: number;
  /** Fits (SVC) whose every dual weight sat at its bound C. */
  all_at_bound: number;
  /** The first degenerate fit's own account (svm-health.ts), when one said why. */
  example: string | null;
}

/** Trained against random on one measure under one protocol. */
export interface Comparison {
  /** Trained accuracy, mean over draws. */
  trained: number;
  /** Random-init accuracy: mean and SE over init seeds (each seed averaged over draws), and each seed's. */
  random: { mean: number; se: number; by_seed: number[] };
  /** Trained − random, paired (paired-difference.ts). */
  diff: PairedGrid;
  degenerate: { trained: FitCount; random: FitCount };
  /** Plain words when some fits are degenerate, else null. */
  note: string | null;
}

export interface CurvePoint {
  /** Labels per class asked for; null is "all". */
  per_class: number | null;
  draws: number;
  /** Train rows per draw (the same in every draw). */
  n_train: number;
  /** Classes with fewer examples than per_class (all of theirs were used). */
  short_classes: number;
  raw: Comparison;
  standardized: Comparison;
}

export interface FewShotPart {
  /** The episodes run (shot and query shrunk to what the splits allow, way at most the classes). */
  params: FewShotWish;
  /** Whether params differ from those asked for. */
  adjusted: boolean;
  raw: Comparison;
  standardized: Comparison;
}

export interface CompareInitResult {
  C: number;
  classifier: SvmKind;
  seed: number;
  random_seeds: number[];
  n_train: number;
  n_test: number;
  /** Classes present in the test split, and 1 / that (uniform guessing). */
  test_classes: number;
  chance: number;
  /** Share of the test split's largest class (what a one-class prediction scores at best). */
  majority: number;
  dim: number;
  /** The paper's linear evaluation: every train label (the curve's "all" point). */
  linear: { raw: Comparison; standardized: Comparison };
  label_efficiency: CurvePoint[];
  /** Null with `fewshot_skipped` when the splits cannot fill an episode. */
  fewshot: FewShotPart | null;
  fewshot_skipped?: string;
  /** Every degenerate finding, one line each. */
  notes: string[];
}

const emptyCount = (): FitCount => ({ fits: 0, single_class: 0, all_at_bound: 0, example: null });
function tally(c: FitCount, h: SvmHealth): void {
  c.fits++;
  if (h.single_class) c.single_class++;
  if (h.all_at_bound) c.all_at_bound++;
  if (h.degenerate && c.example === null) c.example = h.note;
}

function degenerateNote(where: string, protocol: Protocol, deg: Comparison['degenerate']): string | null {
  const part = (who: string, c: FitCount) => {
    const bits: string[] = [];
    if (c.single_class) bits.push(`${c.single_class}/${c.fits} fits predict a single class`);
    if (c.all_at_bound) bits.push(`${c.all_at_bound}/${c.fits} have every dual weight at its bound C`);
    if (!bits.length) return null;
    return `${who}: ${bits.join(', ')}${c.example ? ` (first: ${c.example})` : ''}`;
  };
  const parts = [part('trained', deg.trained), part('random init', deg.random)].filter(Boolean);
  if (!parts.length) return null;
  const degenerate = deg.trained.single_class + deg.random.single_class > 0;
  return `${where}, ${protocol}${degenerate ? ' (degenerate)' : ''}: ${parts.join('; ')}`;
}

function comparison(
  trained: number[],
  random: number[][],
  degenerate: Comparison['degenerate'],
  where: string,
  protocol: Protocol,
): Comparison {
  const diff = pairedGrid(trained, random);
  return {
    trained: diff.trained,
    random: { mean: diff.random.mean, se: diff.random.se, by_seed: diff.random_by_seed },
    diff,
    degenerate,
    note: degenerateNote(where, protocol, degenerate),
  };
}

function subset(f: FeatureSet, rows: Int32Array): FeatureSet {
  const d = f.features.length / f.labels.length;
  return { features: gatherRows(f.features, d, rows), labels: Int32Array.from(rows, (r) => f.labels[r]!) };
}

/**
 * The few-shot episodes the splits can fill: `way` at most the classes present in both splits,
 * then the largest shot (support is what few-shot is about) and with it the largest query count
 * that `way` classes can fill. Null when not even 1-shot 1-query 2-way fits.
 */
export function fitFewShot(train: Int32Array, test: Int32Array, wish: FewShotWish): FewShotWish | null {
  const both = new Set(train);
  const classes = new Set(Array.from(test).filter((l) => both.has(l))).size;
  const way = Math.min(wish.way, classes);
  if (way < 2) return null;
  const fits = (s: number, q: number) =>
    eligibleClasses(train, test, { way, shot: s, query: q }).eligible.length >= way;
  for (let shot = wish.shot; shot >= 1; shot--)
    for (let query = wish.query; query >= 1; query--)
      if (fits(shot, query)) return { way, shot, query, episodes: wish.episodes };
  return null;
}

/** Trained against random inits on every measure; see the file comment. */
export async function compareInit(
  trained: SplitFeatures,
  random: readonly RandomInitFeatures[],
  opts: CompareInitOptions = {},
): Promise<CompareInitResult> {
  if (random.length === 0) throw new InputError('compare-init: needs at least one random init');
  const d = checkFeatureSet(trained.train, 'trained train');
  checkFeatureSet(trained.test, 'trained test');
  for (const r of random) {
    for (const [name, f] of [
      ['train', r.train],
      ['test', r.test],
    ] as const) {
      const dr = checkFeatureSet(f, `random init ${r.seed} ${name}`);
      if (dr !== d)
        throw new InputError(
          `random init ${r.seed} has ${dr}-dimensional features, the trained encoder ${d}: not the same architecture`,
        );
      const same = name === 'train' ? trained.train.labels : trained.test.labels;
      if (f.labels.length !== same.length || f.labels.some((l, i) => l !== same[i]))
        throw new InputError(`random init ${r.seed}: its ${name} labels differ from the trained encoder's`);
    }
  }
  const C = opts.C ?? 0.01;
  const seed = opts.seed ?? 0;
  const draws = opts.draws ?? 5;
  const budgets = [...(opts.budgets ?? DEFAULT_BUDGETS)].sort((a, b) => a - b);
  if (!budgets.includes(Number.POSITIVE_INFINITY)) budgets.push(Number.POSITIVE_INFINITY);
  const trainLabels = trained.train.labels;
  const testLabels = trained.test.labels;
  if (new Set(trainLabels).size < 2)
    throw new InputError('compare-init: the train split needs at least 2 classes');
  const encoders: SplitFeatures[] = [trained, ...random];
  const pause = opts.pause ?? (async () => {});

  const plan = budgets.map((b, i) => ({
    budget: b,
    draws: drawLabelled(trainLabels, b, draws, seed + 7919 * i),
  }));
  const wish = opts.fewshot === undefined ? DEFAULT_FEWSHOT : opts.fewshot;
  const fsParams = wish ? fitFewShot(trainLabels, testLabels, wish) : null;
  const total =
    plan.reduce((a, p) => a + p.draws.length, 0) * encoders.length * PROTOCOLS.length +
    (fsParams ? encoders.length * PROTOCOLS.length : 0);
  let done = 0;
  const step = async () => {
    opts.onProgress?.(++done, total);
    await pause();
  };

  const curve: CurvePoint[] = [];
  for (const { budget, draws: subsets } of plan) {
    const point: Partial<Record<Protocol, Comparison>> = {};
    for (const protocol of PROTOCOLS) {
      const accs: number[][] = encoders.map(() => []); // [encoder][draw]
      const deg = { trained: emptyCount(), random: emptyCount() };
      for (const draw of subsets) {
        for (const [e, f] of encoders.entries()) {
          const r = linearEval(subset(f.train, draw.rows), f.test, {
            C,
            classifier: opts.classifier,
            standardize: protocol === 'standardized',
          });
          accs[e]!.push(r.test_acc);
          tally(e === 0 ? deg.trained : deg.random, r.health);
          await step();
        }
      }
      const where = Number.isFinite(budget) ? `${budget} label(s) per class` : 'linear SVM, all labels';
      point[protocol] = comparison(accs[0]!, accs.slice(1), deg, where, protocol);
    }
    curve.push({
      per_class: Number.isFinite(budget) ? budget : null,
      draws: subsets.length,
      n_train: subsets[0]!.rows.length,
      short_classes: Number.isFinite(budget) ? subsets[0]!.short : 0,
      raw: point.raw!,
      standardized: point.standardized!,
    });
  }

  let fewshot: FewShotPart | null = null;
  if (fsParams) {
    const part: Partial<Record<Protocol, Comparison>> = {};
    for (const protocol of PROTOCOLS) {
      const o: FewShotOptions = {
        ...fsParams,
        seed,
        protocol: 'ours',
        C,
        classifier: opts.classifier,
        standardize: protocol === 'standardized',
      };
      const deg = { trained: emptyCount(), random: emptyCount() };
      const accs: number[][] = [];
      for (const [e, f] of encoders.entries()) {
        const r = fewShotEval(f.train, f.test, o);
        accs.push(r.accs);
        const c = e === 0 ? deg.trained : deg.random;
        c.fits += r.accs.length;
        c.single_class += r.degenerate_episodes;
        c.all_at_bound += r.all_at_bound_episodes;
        await step();
      }
      const where = `few-shot ${fsParams.way}-way ${fsParams.shot}-shot`;
      part[protocol] = comparison(accs[0]!, accs.slice(1), deg, where, protocol);
    }
    const adjusted = !!wish && (['way', 'shot', 'query'] as const).some((k) => fsParams[k] !== wish[k]);
    fewshot = { params: fsParams, adjusted, raw: part.raw!, standardized: part.standardized! };
  }

  const counts = new Map<number, number>();
  for (const l of testLabels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const all = curve[curve.length - 1]!;
  const notes = [
    ...curve.flatMap((p) => [p.raw.note, p.standardized.note]),
    ...(fewshot ? [fewshot.raw.note, fewshot.standardized.note] : []),
  ].filter((n): n is string => n !== null);
  return {
    C,
    classifier: opts.classifier ?? DEFAULT_SVM,
    seed,
    random_seeds: random.map((r) => r.seed),
    n_train: trainLabels.length,
    n_test: testLabels.length,
    test_classes: counts.size,
    chance: 1 / counts.size,
    majority: Math.max(...counts.values()) / testLabels.length,
    dim: d,
    linear: { raw: all.raw, standardized: all.standardized },
    label_efficiency: curve,
    fewshot,
    ...(wish && !fsParams
      ? {
          fewshot_skipped: `no ${wish.way}-way episode fits: fewer than 2 classes have at least 1 train and 1 test example`,
        }
      : {}),
    notes,
  };
}
