/**
 * The analyses of one training run's model, with the features they share cached: the page's
 * Embeddings / Similarity, Few-shot and Classify panels ask these. GPU work goes through the
 * host's scheduler in short jobs (the worker: between two training steps), CPU work pauses
 * between slices, so training is not held up.
 */
import type { EvaluationSet } from '../data/evaluation-set';
import type { OodReferenceClouds } from '../data/ood-reference-clouds';
import {
  type CompareInitResult,
  compareInit,
  type FewShotWish,
  type RandomInitFeatures,
  type SplitFeatures,
} from './compare-init';
import { type DatasetFeatures, datasetFeatures, embedObjects } from './dataset-features';
import { type EmbeddingView, embeddingView, type Projection, spreadObjects } from './embedding-view';
import type { EvalEncoder, FeatureEncoder, Progress, RunFeatureJob, RunJob } from './encoder-jobs';
import {
  compareFewShot,
  type FewShotComparison,
  type FewShotParams,
  type ObjectMeta,
  splitRows,
} from './object-analyses';
import type { EmbeddingSet } from '../train/trainer-api';
import { InputError } from '../util/errors';
import { fitSetClassifier, type OodReference, type Prediction, type SetClassifier } from './set-classifier';

/** The page's "What pretraining buys" request: init seeds 0 … seeds − 1, label draws, episodes. */
export interface CompareInitParams {
  seeds: number;
  draws: number;
  /** Wanted episodes (lowered to what the split holds); null: no few-shot. */
  fewshot: FewShotWish | null;
  /** Seed of the label draws and episodes. */
  seed: number;
  /**
   * What to compare on: the training set's own train/test split, or the evaluation set the user
   * brought (.h5 files: their train and test files, or the stated 80/20 split).
   */
  on: 'split' | 'eval-set';
}

/** The clouds an evaluation-set comparison reads (src/data/evaluation-set.ts). */
export type EvalClouds = Pick<EvaluationSet, 'name' | 'pointsPerCloud' | 'train' | 'test' | 'notes'>;

export interface CompareInitReply extends CompareInitResult {
  params: CompareInitParams;
  /** The trained model's step. */
  step: number;
  /** The set compared on, named as the page shows it, and the points each cloud gave the encoders. */
  set: { name: string; source: 'split' | 'eval-set'; points: number };
}

export interface AnalysisHost {
  /**
   * Runs a short GPU job when no training step is in flight. `refresh` marks an embeddings
   * refresh's slices, which the worker charges to its refresh budget; 'start' its first slice of a
   * paced (automatic) refresh, which waits until the budget allows it (src/worker/refresh-pacer.ts).
   */
  schedule<T>(job: () => Promise<T>, refresh?: 'start' | 'slice'): Promise<T>;
  /** Charges `ms` of a refresh's CPU work on the host's thread to its refresh budget. */
  chargeRefresh?(ms: number): void;
  /** The trained model now (it may be replaced after a device loss). */
  model(): EvalEncoder;
  /**
   * A randomly initialised encoder of the same configuration (the few-shot baseline): the run's
   * own init, or that of init seed `seed`.
   */
  createRandom(seed?: number): Promise<EvalEncoder & { dispose(): void }>;
  /** Whether training is running (then the model changes between two jobs). */
  training(): boolean;
  /**
   * A copy of the point encoder at its current step, apart from training (one GPU job): eval-only
   * (weights and BatchNorm statistics, no gradients or optimiser state) where the model allows.
   */
  snapshot(): Promise<FeatureEncoder & { dispose(): void }>;
  /** Lets other work in between CPU slices (the worker yields to its event loop). */
  pause(): Promise<void>;
  objects: readonly ObjectMeta[];
  classes: readonly string[];
  /** The training set's name as the page shows it (default "the training set"). */
  setName?: string;
  /** Whether the set is generated (the Classify verdict then warns that real files differ). */
  generated?: boolean;
}

/** Clouds per feature job of an evaluation set (one short gap between two training steps). */
const CLOUD_CHUNK = 32;

export class ModelAnalyses {
  private sample: DatasetFeatures | undefined;
  /** The trained model's features of an evaluation set, for one set at one step. */
  private evalTrained: { of: EvalClouds; step: number; splits: SplitFeatures } | undefined;
  /** Random-init features of each evaluation set by init seed (they do not change with training). */
  private readonly evalSeeded = new WeakMap<EvalClouds, Map<number, SplitFeatures>>();
  private random: DatasetFeatures | undefined;
  /** Random-init features by init seed (they do not change with training). */
  private readonly seeded = new Map<number, DatasetFeatures>();
  /** The Classify judgement fitted on `sample` (the features it was fitted on). */
  private classifier: { of: DatasetFeatures; fitted: SetClassifier } | undefined;

  /** Shapes the OOD threshold is calibrated on instead of the set (features of this model). */
  private oodReference: OodReference | undefined;

  constructor(private readonly host: AnalysisHost) {}

  /** Shapes the OOD threshold is calibrated on, as clouds: encoded by the model at each step it is asked at. */
  private oodClouds: OodReferenceClouds | undefined;

  /** Calibrate the Classify judgement's OOD score on `reference` (undefined: on the set itself). */
  setOodReference(reference: OodReference | undefined): void {
    this.oodReference = reference;
    this.oodClouds = undefined;
    this.classifier = undefined;
  }

  /**
   * Calibrate it on these clouds (the page: part of the evaluation set the user loaded), encoded
   * by the model at the step of each judgement; undefined: on the set itself.
   */
  setOodReferenceClouds(clouds: OodReferenceClouds | undefined): void {
    if (clouds === this.oodClouds) return;
    this.oodClouds = clouds;
    this.oodReference = undefined;
    this.classifier = undefined;
  }

  /** The OOD reference clouds' features [n, dim] under the model now, CLOUD_CHUNK clouds per job. */
  private async referenceFeatures(ref: OodReferenceClouds, progress: Progress): Promise<OodReference> {
    const stride = ref.points.length / ref.n;
    const parts: Float32Array[] = [];
    for (let at = 0; at < ref.n; at += CLOUD_CHUNK) {
      const count = Math.min(CLOUD_CHUNK, ref.n - at);
      const clouds = ref.points.subarray(at * stride, (at + count) * stride); // [count, N, 3]
      parts.push(await this.run((e) => e.cloudsFeatures(clouds, count)));
      progress('Encoding the out-of-distribution reference', at + count, ref.n);
    }
    const features = new Float32Array(parts.reduce((a, p) => a + p.length, 0)); // [n, dim]
    let off = 0;
    for (const p of parts) {
      features.set(p, off);
      off += p.length;
    }
    return {
      name: ref.name,
      generated: false,
      isSet: false,
      features,
      labels: ref.labels,
      classes: ref.classes,
    };
  }

  private readonly run: RunJob = (job) => this.host.schedule(() => job(this.host.model()));

  /** The last embedding set (re-projecting it while the weights stay the same costs no GPU work). */
  private embedded: { step: number; objects: string; set: EmbeddingSet } | undefined;

  /** Forget cached features (after a checkpoint load: same step number, other weights). */
  invalidate(): void {
    this.embedded = undefined;
    this.sample = undefined;
    this.evalTrained = undefined;
    this.classifier = undefined;
  }

  /**
   * Projections of `limit` objects spread over the set, in 2-D, with the similarity batch, and
   * what the refresh cost training: `costMs`, the time its GPU jobs held training up between
   * steps plus its projection's time on the worker (where training's own loop runs). A `paced`
   * refresh (the panels' automatic one) starts when the host's refresh budget allows; all of a
   * refresh's work is charged to that budget. While the weights have not changed since the last
   * refresh (training paused, the same step) its embeddings are projected again without GPU work,
   * unless the refresh is `fresh` (the user's "Refresh now").
   */
  async embeddings(
    projection: Projection,
    limit: number,
    progress: Progress,
    how: { paced?: boolean; fresh?: boolean } = {},
  ): Promise<EmbeddingView & { step: number; costMs: number }> {
    const paced = how.paced ?? false;
    const objects = spreadObjects(this.host.objects.length, limit);
    const key = objects.join(',');
    let jobsMs = 0;
    let set: EmbeddingSet;
    let step: number;
    const cached = this.embedded;
    const unchanged =
      cached?.objects === key && cached.step === this.host.model().step && !this.host.training();
    if (cached && unchanged && !how.fresh) {
      ({ set, step } = cached);
    } else {
      let first = true;
      const timed: RunJob = (job) => {
        const kind = first && paced ? 'start' : 'slice';
        first = false;
        return this.host.schedule(async () => {
          const t0 = performance.now();
          try {
            return await job(this.host.model());
          } finally {
            jobsMs += performance.now() - t0;
          }
        }, kind);
      };
      ({ set, step } = await embedObjects(timed, objects, progress));
      this.embedded = { step, objects: key, set };
    }
    // The projection's CPU work, charged slice by slice as it runs (between its pauses), so each
    // ms is taken from the stretch of training it ran in.
    let projectionMs = 0;
    let t0 = performance.now();
    const charge = () => {
      const ms = performance.now() - t0;
      projectionMs += ms;
      this.host.chargeRefresh?.(ms);
    };
    const view = await embeddingView(set, objects, projection, {
      onProgress: progress,
      pause: async () => {
        charge();
        await this.host.pause();
        t0 = performance.now();
      },
    });
    charge();
    return { ...view, step, costMs: jobsMs + projectionMs };
  }

  /** Pooled features of every object at the model's current step (cached per step). */
  async sampleFeatures(progress: Progress): Promise<DatasetFeatures> {
    const step = this.host.model().step;
    if (this.sample?.step === step) return this.sample;
    const f = await datasetFeatures(
      this.run,
      this.host.objects.length,
      progress,
      'Extracting features of the sample set',
    );
    this.sample = f;
    return f;
  }

  /** Pooled features of every object on a snapshot of the weights (training runs meanwhile). */
  private async snapshotFeatures(progress: Progress): Promise<DatasetFeatures> {
    progress('Copying the weights', 0, 1);
    const copy = await this.host.schedule(() => this.host.snapshot());
    try {
      const run: RunFeatureJob = (job) => this.host.schedule(() => job(copy));
      return await datasetFeatures(
        run,
        this.host.objects.length,
        progress,
        `Extracting features at step ${copy.step} (a copy of the weights)`,
      );
    } finally {
      copy.dispose();
    }
  }

  /** Features of a random-init encoder, computed once per run (they do not change with training). */
  private async randomFeatures(progress: Progress): Promise<DatasetFeatures> {
    this.random ??= await this.freshFeatures(
      undefined,
      progress,
      'Features of a randomly initialised encoder',
    );
    return this.random;
  }

  private async freshFeatures(seed: number | undefined, progress: Progress, task: string) {
    const fresh = await this.host.schedule(() => this.host.createRandom(seed));
    try {
      const run: RunJob = (job) => this.host.schedule(() => job(fresh));
      return await datasetFeatures(run, this.host.objects.length, progress, task);
    } finally {
      fresh.dispose();
    }
  }

  /**
   * What pretraining buys (compare-init.ts): the trained features against those of random inits
   * 0 … seeds − 1 of the same architecture, on the set's train/test split or (params.on
   * 'eval-set') on `evalSet`, the user's .h5 clouds, each cut to the model's point count.
   */
  async compareInit(
    params: CompareInitParams,
    progress: Progress,
    evalSet?: EvalClouds,
  ): Promise<CompareInitReply> {
    if (params.on === 'eval-set') {
      if (!evalSet)
        throw new InputError(
          'No evaluation set loaded: choose a folder with .h5 files in the Data panel and use them as the evaluation set.',
        );
      return this.compareOnEvalSet(params, progress, evalSet);
    }
    const trained = this.host.training()
      ? await this.snapshotFeatures(progress)
      : await this.sampleFeatures(progress);
    const random = [];
    for (let s = 0; s < params.seeds; s++) {
      let f = this.seeded.get(s);
      if (!f) {
        f = await this.freshFeatures(s, progress, `Features of random init ${s + 1} of ${params.seeds}`);
        this.seeded.set(s, f);
      }
      random.push({ seed: s, ...this.splits(f) });
    }
    const r = await this.compare(this.splits(trained), random, params, progress);
    const points = this.host.model().resolved.points;
    return {
      ...r,
      params,
      step: trained.step,
      set: { name: this.host.setName ?? 'the training set', source: 'split', points },
    };
  }

  private compare(
    trained: SplitFeatures,
    random: readonly RandomInitFeatures[],
    params: CompareInitParams,
    progress: Progress,
  ): Promise<CompareInitResult> {
    return compareInit(trained, random, {
      draws: params.draws,
      fewshot: params.fewshot,
      seed: params.seed,
      pause: this.host.pause,
      onProgress: (done, total) => progress('Fitting the SVMs', done, total),
    });
  }

  private async compareOnEvalSet(
    params: CompareInitParams,
    progress: Progress,
    set: EvalClouds,
  ): Promise<CompareInitReply> {
    const N = this.host.model().resolved.points;
    if (set.pointsPerCloud < N)
      throw new InputError(
        `${set.name}: its clouds have ${set.pointsPerCloud} points and the model reads ${N}: train a preset of at most ${set.pointsPerCloud} points to compare on it.`,
      );
    let trained: { step: number; splits: SplitFeatures };
    const step = this.host.model().step;
    if (!this.host.training() && this.evalTrained?.of === set && this.evalTrained.step === step) {
      trained = this.evalTrained;
    } else if (this.host.training()) {
      progress('Copying the weights', 0, 1);
      const copy = await this.host.schedule(() => this.host.snapshot());
      try {
        const splits = await this.evalFeatures(
          (job) => this.host.schedule(() => job(copy)),
          set,
          progress,
          `Extracting features of ${set.name} at step ${copy.step} (a copy of the weights)`,
        );
        trained = { step: copy.step, splits };
      } finally {
        copy.dispose();
      }
    } else {
      const splits = await this.evalFeatures(this.run, set, progress, `Extracting features of ${set.name}`);
      trained = { step, splits };
      this.evalTrained = { of: set, ...trained };
    }
    let seeded = this.evalSeeded.get(set);
    if (!seeded) {
      seeded = new Map();
      this.evalSeeded.set(set, seeded);
    }
    const random = [];
    for (let s = 0; s < params.seeds; s++) {
      let f = seeded.get(s);
      if (!f) {
        const fresh = await this.host.schedule(() => this.host.createRandom(s));
        try {
          f = await this.evalFeatures(
            (job) => this.host.schedule(() => job(fresh)),
            set,
            progress,
            `Features of ${set.name}, random init ${s + 1} of ${params.seeds}`,
          );
        } finally {
          fresh.dispose();
        }
        seeded.set(s, f);
      }
      random.push({ seed: s, ...f });
    }
    const r = await this.compare(trained.splits, random, params, progress);
    // How the set was split is part of the result (e.g. no test file: 80/20 per class).
    const notes = [...set.notes.map((n) => `${set.name}: ${n}`), ...r.notes];
    return {
      ...r,
      notes,
      params,
      step: trained.step,
      set: { name: set.name, source: 'eval-set', points: N },
    };
  }

  /** Pooled features of an evaluation set's train and test clouds, CLOUD_CHUNK clouds per job. */
  private async evalFeatures(
    run: RunFeatureJob,
    set: EvalClouds,
    progress: Progress,
    task: string,
  ): Promise<SplitFeatures> {
    const total = set.train.n + set.test.n;
    let done = 0;
    const one = async (split: EvalClouds['train']) => {
      const stride = set.pointsPerCloud * 3;
      const parts: Float32Array[] = [];
      for (let at = 0; at < split.n; at += CLOUD_CHUNK) {
        const count = Math.min(CLOUD_CHUNK, split.n - at);
        const clouds = split.points.subarray(at * stride, (at + count) * stride); // [count, N0, 3]
        parts.push(await run((e) => e.cloudsFeatures(clouds, count)));
        done += count;
        progress(task, done, total);
      }
      const features = new Float32Array(parts.reduce((a, p) => a + p.length, 0)); // [n, dim]
      let off = 0;
      for (const p of parts) {
        features.set(p, off);
        off += p.length;
      }
      return { features, labels: split.labels };
    };
    return { train: await one(set.train), test: await one(set.test) };
  }

  private splits(f: DatasetFeatures) {
    const objects = this.host.objects;
    return { train: splitRows(f, objects, 'train'), test: splitRows(f, objects, 'test') };
  }

  /**
   * Few-shot episodes of the trained against a random-init encoder. While training runs, the
   * trained features come from a snapshot of the weights at one step (the episodes then compare
   * one model, not a model that moved between chunks), and training goes on meanwhile.
   */
  async fewShot(params: FewShotParams, progress: Progress): Promise<FewShotComparison & { step: number }> {
    const trained = this.host.training()
      ? await this.snapshotFeatures(progress)
      : await this.sampleFeatures(progress);
    const random = await this.randomFeatures(progress);
    await this.host.pause();
    const r = compareFewShot(trained, random, this.host.objects, params, (done, total) =>
      progress('Few-shot episodes', done, total),
    );
    return { ...r, step: trained.step };
  }

  /** Top classes and nearest objects for a normalised cloud [N·3]. */
  async predict(cloud: Float32Array, progress: Progress): Promise<Prediction & { step: number }> {
    const sample = await this.sampleFeatures(progress);
    const q = await this.run((e) => e.cloudFeatures(cloud));
    return { step: sample.step, ...(await this.setClassifier(sample, progress)).predict(q) };
  }

  /** The SVM, nearest-shape index and calibrated OOD score of `sample`, fitted once per feature set. */
  private async setClassifier(sample: DatasetFeatures, progress: Progress): Promise<SetClassifier> {
    if (this.classifier?.of !== sample) {
      const clouds = this.oodClouds && (await this.referenceFeatures(this.oodClouds, progress));
      await this.host.pause();
      this.classifier = {
        of: sample,
        fitted: fitSetClassifier(
          sample,
          this.host.objects,
          this.host.classes,
          clouds ??
            this.oodReference ?? {
              name: this.host.setName ?? 'the set',
              generated: this.host.generated ?? false,
              isSet: true,
              features: sample.features,
              labels: Int32Array.from(this.host.objects, (o) => o.label),
              classes: this.host.classes,
            },
        ),
      };
    }
    return this.classifier.fitted;
  }
}
