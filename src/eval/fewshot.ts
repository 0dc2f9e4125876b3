/**
 * N-way K-shot few-shot evaluation on frozen features (CrossPoint's protocol: 20 queries per
 * class, 10 episodes, features standardised with the support set's statistics, a linear SVM).
 *
 * protocol 'ours': support from train, queries from test.
 * protocol 'reference': as upstream's eval_fewshot.py: support AND queries from train (disjoint
 * per class: `query_id = random.sample(set(label_idx[c]) - set(support_id), n_query)`,
 * `data_query = data_train[query_id]`), a StandardScaler fitted on the support features applied to
 * both, sklearn's `SVC(kernel='linear')` with its default C = 1; kept for comparing with the
 * published numbers.
 */
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import { type ClassifierOptions, DEFAULT_SVM, fitClassifier, type SvmKind } from './classifier';
import { accuracy, applyScaler, checkFeatureSet, type FeatureSet, fitScaler, gatherRows } from './features';
import { type SvmHealth, svmHealth } from './svm-health';

/**
 * The defaults of upstream's eval_fewshot.py (argparse defaults; its scripts/fsl_script.sh passes
 * `--n_runs 50`). It feeds every point of the ModelNet40 HDF5 clouds (2048; `--num_points` is
 * parsed but never used) to a DGCNN built with `--k 5`, and fits `SVC(kernel='linear')` (C = 1).
 */
export const REFERENCE_FEWSHOT = {
  way: 5,
  shot: 10,
  query: 20,
  episodes: 10,
  C: 1,
  k: 5,
  points: 2048,
} as const;

/** C when none is given: 1 under 'reference' (sklearn's SVC default, as upstream), else 0.01 (the paper's linear evaluation). */
export function defaultFewShotC(protocol: FewShotProtocol = 'ours'): number {
  return protocol === 'reference' ? REFERENCE_FEWSHOT.C : 0.01;
}

export type FewShotProtocol = 'ours' | 'reference';

export interface FewShotOptions {
  way: number;
  shot: number;
  /** Queries per class (default 20). */
  query?: number;
  /** Episodes (default 10). */
  episodes?: number;
  seed?: number;
  protocol?: FewShotProtocol;
  /** SVM C (default: defaultFewShotC(protocol)). */
  C?: number;
  /** Which SVM (default SVC, as the reference). */
  classifier?: SvmKind;
  /** Standardise with the support set's mean and std (default true). */
  standardize?: boolean;
  /** Other solver settings. */
  svm?: Pick<ClassifierOptions, 'tol' | 'maxIter'>;
}

export interface ClassCount {
  label: number;
  train: number;
  /** Test examples (protocol 'ours' only; 0 under 'reference'). */
  test: number;
}

export interface Episode {
  /** The N labels of this episode, in the order of their episode class index 0..N−1. */
  classes: number[];
  /** [N·K] rows of train. */
  support: Int32Array;
  /** [N·Q] rows of the query source (test under 'ours', train under 'reference'). */
  query: Int32Array;
  querySource: 'train' | 'test';
}

export interface FewShotResult {
  /** Mean query accuracy over the episodes, in [0, 1]. */
  mean: number;
  /** Population standard deviation of the accuracies (numpy's np.std). */
  std: number;
  accs: number[];
  /** Classes left out of the draw for having too few examples, with their counts. */
  excluded: ClassCount[];
  classifier: SvmKind;
  C: number;
  /** Episodes whose SVM predicted one class for every query (their accuracy is 1/N). */
  degenerate_episodes: number;
  /** Episodes (SVC) whose every dual weight sat at its bound C. */
  all_at_bound_episodes: number;
}

function indicesByLabel(labels: Int32Array): Map<number, number[]> {
  const m = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const list = m.get(l);
    if (list) list.push(i);
    else m.set(l, [i]);
  });
  return m;
}

/** The classes that can fill an episode and those that cannot (each with its counts). */
export function eligibleClasses(train: Int32Array, test: Int32Array | null, opts: FewShotOptions) {
  const q = opts.query ?? 20;
  const reference = (opts.protocol ?? 'ours') === 'reference';
  const tr = indicesByLabel(train);
  const te = test ? indicesByLabel(test) : new Map<number, number[]>();
  const eligible: number[] = [];
  const excluded: ClassCount[] = [];
  for (const label of [...tr.keys()].sort((a, b) => a - b)) {
    const nTrain = tr.get(label)!.length;
    const nTest = reference ? 0 : (te.get(label)?.length ?? 0);
    const ok = reference ? nTrain >= opts.shot + q : nTrain >= opts.shot && nTest >= q;
    if (ok) eligible.push(label);
    else excluded.push({ label, train: nTrain, test: nTest });
  }
  return { eligible, excluded, byTrain: tr, byTest: te };
}

function describeShortfall(c: ClassCount, opts: FewShotOptions, reference: boolean): string {
  const q = opts.query ?? 20;
  if (reference) return `class ${c.label} has ${c.train} train examples (needs ${opts.shot + q})`;
  const parts: string[] = [];
  if (c.train < opts.shot) parts.push(`${c.train} train (needs ${opts.shot})`);
  if (c.test < q) parts.push(`${c.test} test (needs ${q})`);
  return `class ${c.label} has ${parts.join(' and ')}`;
}

/**
 * Draws the episodes: each picks N classes at random among the eligible ones, then K support
 * rows and Q query rows per class without replacement. Throws InputError when fewer than N
 * classes have enough examples, naming the short classes and their counts.
 */
export function sampleEpisodes(
  train: Int32Array,
  test: Int32Array | null,
  opts: FewShotOptions,
): {
  episodes: Episode[];
  excluded: ClassCount[];
} {
  const q = opts.query ?? 20;
  const count = opts.episodes ?? 10;
  const reference = (opts.protocol ?? 'ours') === 'reference';
  if (!reference && !test) throw new Error("sampleEpisodes: protocol 'ours' needs test labels");
  for (const [k, v] of Object.entries({ way: opts.way, shot: opts.shot, query: q, episodes: count })) {
    if (!Number.isInteger(v) || v < 1)
      throw new InputError(`few-shot: ${k} must be a positive integer (got ${v})`);
  }
  if (opts.way < 2) throw new InputError('few-shot: way must be at least 2');
  const { eligible, excluded, byTrain, byTest } = eligibleClasses(train, test, opts);
  if (eligible.length < opts.way) {
    const need = reference
      ? `${opts.shot + q} train examples (support and queries both from train, protocol 'reference')`
      : `${opts.shot} train and ${q} test examples`;
    const shown = excluded.slice(0, 8).map((c) => describeShortfall(c, opts, reference));
    const more = excluded.length > 8 ? `; and ${excluded.length - 8} more` : '';
    throw new InputError(
      `${opts.way}-way ${opts.shot}-shot with ${q} queries needs ${opts.way} classes with at least ${need}, ` +
        `but only ${eligible.length} qualify: ${shown.join('; ')}${more}`,
    );
  }
  const rng = new Rng(opts.seed ?? 0);
  const episodes: Episode[] = [];
  for (let e = 0; e < count; e++) {
    const classes = rng.shuffle([...eligible]).slice(0, opts.way);
    const support: number[] = [];
    const query: number[] = [];
    for (const label of classes) {
      const tr = rng.shuffle([...byTrain.get(label)!]);
      support.push(...tr.slice(0, opts.shot));
      if (reference) query.push(...tr.slice(opts.shot, opts.shot + q));
      else query.push(...rng.shuffle([...byTest.get(label)!]).slice(0, q));
    }
    episodes.push({
      classes,
      support: Int32Array.from(support),
      query: Int32Array.from(query),
      querySource: reference ? 'train' : 'test',
    });
  }
  return { episodes, excluded };
}

/** Accuracy of one episode: standardise on the support set, fit the SVM, score the queries. */
export function runEpisode(
  ep: Episode,
  train: FeatureSet,
  test: FeatureSet,
  d: number,
  opts: FewShotOptions,
  seed: number,
): number {
  return episodeOutcome(ep, train, test, d, opts, seed).acc;
}

/** runEpisode's accuracy with the health of the episode's SVM (svm-health.ts). */
export function episodeOutcome(
  ep: Episode,
  train: FeatureSet,
  test: FeatureSet,
  d: number,
  opts: FewShotOptions,
  seed: number,
): { acc: number; health: SvmHealth } {
  const q = opts.query ?? 20;
  const src = ep.querySource === 'train' ? train : test;
  let xs = gatherRows(train.features, d, ep.support);
  let xq = gatherRows(src.features, d, ep.query);
  if (opts.standardize ?? true) {
    const scaler = fitScaler(xs, ep.support.length, d);
    xs = applyScaler(xs, scaler);
    xq = applyScaler(xq, scaler);
  }
  // Episode class indices 0..N−1, in the order the rows were drawn.
  const ys = Int32Array.from(ep.support, (_, r) => Math.floor(r / opts.shot));
  const yq = Int32Array.from(ep.query, (_, r) => Math.floor(r / q));
  const svm = fitClassifier(xs, ys, {
    ...opts.svm,
    kind: opts.classifier,
    C: opts.C ?? defaultFewShotC(opts.protocol),
    seed,
  });
  const pred = svm.predict(xq, yq.length);
  return { acc: accuracy(pred, yq), health: svmHealth(svm, pred, yq, xq) };
}

/** Runs the episodes on frozen features and reports mean, std and every episode's accuracy. */
export function fewShotEval(train: FeatureSet, test: FeatureSet | null, opts: FewShotOptions): FewShotResult {
  const reference = (opts.protocol ?? 'ours') === 'reference';
  const d = checkFeatureSet(train, 'train');
  if (!reference) {
    if (!test) throw new InputError("few-shot protocol 'ours' needs test features");
    const dt = checkFeatureSet(test, 'test');
    if (dt !== d) throw new InputError(`train features have ${d} dimensions, test features ${dt}`);
  }
  const { episodes, excluded } = sampleEpisodes(train.labels, reference ? null : test!.labels, opts);
  const seeds = new Rng((opts.seed ?? 0) ^ 0x2545f491);
  const outcomes = episodes.map((ep) => episodeOutcome(ep, train, test ?? train, d, opts, seeds.nextU32()));
  const accs = outcomes.map((o) => o.acc);
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
  return {
    mean,
    std,
    accs,
    excluded,
    classifier: opts.classifier ?? DEFAULT_SVM,
    C: opts.C ?? defaultFewShotC(opts.protocol),
    degenerate_episodes: outcomes.filter((o) => o.health.degenerate).length,
    all_at_bound_episodes: outcomes.filter((o) => o.health.all_at_bound).length,
  };
}
