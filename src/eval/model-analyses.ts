/**
 * The analyses of one training run's model, with the features they share cached: the page's
 * Embeddings / Similarity, Few-shot and Classify panels ask these. GPU work goes through the
 * host's scheduler in short jobs (the worker: between two training steps), CPU work pauses
 * between slices, so training is not held up.
 */
import { type CompareInitResult, compareInit, type FewShotWish } from './compare-init';
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
import { fitSetClassifier, type OodReference, type Prediction, type SetClassifier } from './set-classifier';

/** The page's "What pretraining buys" request: init seeds 0 … seeds − 1, label draws, episodes. */
export interface CompareInitParams {
  seeds: number;
  draws: number;
  /** Wanted episodes (lowered to what the split holds); null: no few-shot. */
  fewshot: FewShotWish | null;
  /** Seed of the label draws and episodes. */
  seed: number;
}

export interface CompareInitReply extends CompareInitResult {
  params: CompareInitParams;
  /** The trained model's step. */
  step: number;
}

export interface AnalysisHost {
  /** Runs a short GPU job when no training step is in flight. */
  schedule<T>(job: () => Promise<T>): Promise<T>;
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
  /** The set's name and whether it is generated, for the Classify verdict's explanation. */
  setName?: string;
  generated?: boolean;
}

export class ModelAnalyses {
  private sample: DatasetFeatures | undefined;
  private random: DatasetFeatures | undefined;
  /** Random-init features by init seed (they do not change with training). */
  private readonly seeded = new Map<number, DatasetFeatures>();
  /** The Classify judgement fitted on `sample` (the features it was fitted on). */
  private classifier: { of: DatasetFeatures; fitted: SetClassifier } | undefined;

  /** Shapes the OOD threshold is calibrated on instead of the set (features of this model). */
  private oodReference: OodReference | undefined;

  constructor(private readonly host: AnalysisHost) {}

  /** Calibrate the Classify judgement's OOD score on `reference` (undefined: on the set itself). */
  setOodReference(reference: OodReference | undefined): void {
    this.oodReference = reference;
    this.classifier = undefined;
  }

  private readonly run: RunJob = (job) => this.host.schedule(() => job(this.host.model()));

  /** Forget cached features (after a checkpoint load: same step number, other weights). */
  invalidate(): void {
    this.sample = undefined;
    this.classifier = undefined;
  }

  /**
   * Projections of `limit` objects spread over the set, in 2-D, with the similarity batch, and
   * what the refresh cost training: `costMs`, the time its GPU jobs held training up between
   * steps plus its projection's time on the worker (where training's own loop runs).
   */
  async embeddings(
    projection: Projection,
    limit: number,
    progress: Progress,
  ): Promise<EmbeddingView & { step: number; costMs: number }> {
    const objects = spreadObjects(this.host.objects.length, limit);
    let jobsMs = 0;
    const timed: RunJob = (job) =>
      this.host.schedule(async () => {
        const t0 = performance.now();
        try {
          return await job(this.host.model());
        } finally {
          jobsMs += performance.now() - t0;
        }
      });
    const { set, step } = await embedObjects(timed, objects, progress);
    const t0 = performance.now();
    const view = await embeddingView(set, objects, projection, {
      onProgress: progress,
      pause: this.host.pause,
    });
    // UMAP pauses between slices, so its wall time over-counts: a conservative cost.
    return { ...view, step, costMs: jobsMs + (performance.now() - t0) };
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
   * 0 … seeds − 1 of the same architecture, on the set's train/test split.
   */
  async compareInit(params: CompareInitParams, progress: Progress): Promise<CompareInitReply> {
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
    const r = await compareInit(this.splits(trained), random, {
      draws: params.draws,
      fewshot: params.fewshot,
      seed: params.seed,
      pause: this.host.pause,
      onProgress: (done, total) => progress('Fitting the SVMs', done, total),
    });
    return { ...r, params, step: trained.step };
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
    return { step: sample.step, ...(await this.setClassifier(sample)).predict(q) };
  }

  /** The SVM, nearest-shape index and calibrated OOD score of `sample`, fitted once per feature set. */
  private async setClassifier(sample: DatasetFeatures): Promise<SetClassifier> {
    if (this.classifier?.of !== sample) {
      await this.host.pause();
      this.classifier = {
        of: sample,
        fitted: fitSetClassifier(
          sample,
          this.host.objects,
          this.host.classes,
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
