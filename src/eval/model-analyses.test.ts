import { describe, expect, it } from 'vitest';
import { clusters } from '../../test/clusters';
import type { EmbeddingSet } from '../train/trainer-api';
import { Rng } from '../util/random';
import type { EvalEncoder } from './encoder-jobs';
import { type AnalysisHost, ModelAnalyses } from './model-analyses';
import type { ObjectMeta } from './object-analyses';

// A CPU stand-in for the trainer: features are fixed rows per object (clustered by class for the
// "trained" model, noise for the random one), projections the first `P` feature columns.
const P = 4;

function fakeEncoder(rows: Float32Array, dim: number, batch: number, step = 5) {
  const calls: { kind: string; n: number }[] = [];
  const pick = (idx: readonly number[], width: number) => {
    const out = new Float32Array(idx.length * width);
    idx.forEach((o, i) => {
      for (let j = 0; j < width; j++) out[i * width + j] = rows[o * dim + j]!;
    });
    return out;
  };
  const e = {
    step,
    resolved: { batch, points: 2 },
    async features(idx: readonly number[]) {
      calls.push({ kind: 'features', n: idx.length });
      return pick(idx, dim);
    },
    async embed(idx: readonly number[]): Promise<EmbeddingSet> {
      calls.push({ kind: 'embed', n: idx.length });
      return {
        ids: idx.map(String),
        labels: idx.map((i) => labels[i]!),
        point: pick(idx, P),
        image: pick(idx, P).map((v) => v * 2),
        dim: P,
      };
    },
    async cloudFeatures(cloud: Float32Array) {
      calls.push({ kind: 'cloud', n: 1 });
      return Float32Array.from(rows.subarray(cloud[0]! * dim, (cloud[0]! + 1) * dim));
    },
    // [n, N0, 3] clouds: the object index is each cloud's first coordinate.
    async cloudsFeatures(clouds: Float32Array, n: number) {
      calls.push({ kind: 'clouds', n });
      const stride = clouds.length / n;
      return pick(
        Array.from({ length: n }, (_, i) => clouds[i * stride]!),
        dim,
      );
    },
  };
  return { e: e as unknown as EvalEncoder, calls };
}

const perClass = [10, 10, 10, 10, 10, 10];
const n = perClass.reduce((a, b) => a + b);
const dim = 6;
const { set } = clusters(new Rng(2), perClass, dim, 0.3);
const features = Float32Array.from(set.features);
const labels = set.labels;
const objects: ObjectMeta[] = Array.from(labels, (label, i) => ({
  id: `o${i}`,
  label,
  split: i % 5 === 4 ? 'test' : 'train',
}));
const classes = Array.from({ length: 20 }, (_, c) => `class${c}`);

function host(step = 5) {
  const trained = fakeEncoder(features, dim, 8, step);
  const noise = new Rng(7);
  const random = fakeEncoder(
    Float32Array.from({ length: n * dim }, () => noise.normal(0, 1)),
    dim,
    8,
  );
  let scheduled = 0;
  let disposed = 0;
  const seeds: (number | undefined)[] = [];
  let snapshots = 0;
  const state = { training: false };
  // The snapshot: the trained rows at step 9, with its own call log.
  const copy = fakeEncoder(features, dim, 8, 9);
  const kinds: (string | undefined)[] = [];
  const charged: number[] = [];
  const h: AnalysisHost = {
    schedule: (job, refresh) => {
      scheduled++;
      kinds.push(refresh);
      return job();
    },
    chargeRefresh: (ms) => void charged.push(ms),
    model: () => trained.e,
    createRandom: async (seed) => {
      seeds.push(seed);
      return Object.assign(random.e, { dispose: () => void disposed++ });
    },
    training: () => state.training,
    snapshot: async () => {
      snapshots++;
      return Object.assign(copy.e, { dispose: () => void disposed++ });
    },
    pause: async () => {},
    objects,
    classes,
    setName: 'tiny set',
  };
  return {
    h,
    trained,
    random,
    seeds,
    copy,
    state,
    kinds,
    charged,
    counts: () => ({ scheduled, disposed, snapshots }),
  };
}

describe('ModelAnalyses', () => {
  it("embeds in jobs of one point batch (2B objects) each, projects both spaces and reports the refresh's cost", async () => {
    const { h, trained, counts } = host();
    const a = new ModelAnalyses(h);
    const tasks: string[] = [];
    const view = await a.embeddings('pca', 40, (t) => tasks.push(t));
    expect(trained.calls.filter((c) => c.kind === 'embed').map((c) => c.n)).toEqual([16, 16, 8]);
    expect(counts().scheduled).toBe(3);
    expect(view.costMs).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(view.costMs)).toBe(true);
    const again = await a.embeddings('pca', 20, () => {});
    expect(
      trained.calls
        .filter((c) => c.kind === 'embed')
        .map((c) => c.n)
        .slice(3),
    ).toEqual([16, 4]);
    expect(again.objects).toEqual(Array.from({ length: 20 }, (_, i) => Math.floor((i * n) / 20)));
  });

  it("marks a refresh's jobs for the host's refresh budget, a paced one's first as its start, and charges its projection", async () => {
    const { h, kinds, charged, state } = host();
    const a = new ModelAnalyses(h);
    state.training = true; // no reuse of the last embeddings while training
    await a.embeddings('pca', 40, () => {});
    expect(kinds).toEqual(['slice', 'slice', 'slice']);
    const paced = await a.embeddings('pca', 40, () => {}, { paced: true });
    expect(kinds.slice(3)).toEqual(['start', 'slice', 'slice']);
    // The projection's CPU work is charged as it runs; the reported cost holds it and the jobs.
    expect(charged.length).toBeGreaterThan(0);
    const projectionMs = charged.slice(charged.length / 2).reduce((t, c) => t + c, 0);
    expect(paced.costMs).toBeGreaterThanOrEqual(projectionMs - 1e-9);
    // Few-shot's and the other analyses' jobs are not refresh work.
    await a.sampleFeatures(() => {});
    expect(kinds.slice(6).every((k) => k === undefined)).toBe(true);
  });

  it('re-projects the last embeddings without GPU work while the weights are unchanged (paused, same step)', async () => {
    const { h, trained, state } = host();
    const a = new ModelAnalyses(h);
    const embeds = () => trained.calls.filter((c) => c.kind === 'embed').length;
    const pca = await a.embeddings('pca', 40, () => {});
    const before = embeds();
    const umap = await a.embeddings('umap', 40, () => {});
    expect(embeds()).toBe(before);
    expect(umap.step).toBe(pca.step);
    expect(umap.projection).toBe('umap');
    // Same projections, so the same similarity matrix.
    expect(Array.from(umap.sim)).toEqual(Array.from(pca.sim));
    // Refresh now, other objects, a changed model, training, or a checkpoint load embed again.
    await a.embeddings('umap', 40, () => {}, { fresh: true });
    expect(embeds()).toBeGreaterThan(before);
    await a.embeddings('pca', 20, () => {});
    expect(embeds()).toBeGreaterThan(before + 3);
    const n1 = embeds();
    a.invalidate();
    await a.embeddings('pca', 20, () => {});
    expect(embeds()).toBeGreaterThan(n1);
    const n2 = embeds();
    state.training = true;
    await a.embeddings('pca', 20, () => {});
    expect(embeds()).toBeGreaterThan(n2);
  });

  it('projects the embedded objects of the set, with the similarity batch', async () => {
    const { h } = host();
    const a = new ModelAnalyses(h);
    const tasks: string[] = [];
    const view = await a.embeddings('pca', 20, (t) => tasks.push(t));
    expect(view.step).toBe(5);
    expect(view.objects).toEqual(Array.from({ length: 20 }, (_, i) => Math.floor((i * n) / 20)));
    expect(view.labels).toEqual(view.objects.map((o) => labels[o]));
    expect(view.pointXY.length).toBe(40);
    expect(view.batch.length).toBe(12);
    // Image projections are twice the point ones: every pair's cosine similarity is 1.
    for (let i = 0; i < 12; i++) expect(view.sim[i * 12 + i]!).toBeCloseTo(1, 5);
    expect(tasks).toContain('Embedding the shapes');
    expect(tasks).toContain('Projecting to 2-D (PCA)');
  });

  it('few-shot: trained features beat random ones; random features are computed once and disposed', async () => {
    const { h, random, counts } = host();
    const a = new ModelAnalyses(h);
    const params = { way: 5, shot: 2, query: 1, episodes: 6, seed: 0 };
    const r = await a.fewShot(params, () => {});
    expect(r.trainObjects).toBe(48);
    expect(r.testObjects).toBe(12);
    expect(r.dim).toBe(dim);
    expect(r.trained.mean).toBeGreaterThan(0.9);
    expect(r.trained.mean).toBeGreaterThan(r.random.mean);
    expect(counts().disposed).toBe(1);
    const before = random.calls.length;
    await a.fewShot(params, () => {});
    expect(random.calls.length).toBe(before);
  });

  it('what pretraining buys: random inits 0 … S − 1 extracted once each, the split’s comparison with the step', async () => {
    const { h, random, seeds, counts } = host();
    const a = new ModelAnalyses(h);
    const params = {
      seeds: 2,
      draws: 2,
      fewshot: { way: 3, shot: 2, query: 1, episodes: 2 },
      seed: 0,
      on: 'split' as const,
    };
    const tasks: string[] = [];
    const r = await a.compareInit(params, (t) => tasks.push(t));
    expect(seeds).toEqual([0, 1]);
    expect(counts().disposed).toBe(2);
    expect(r).toMatchObject({ step: 5, params, n_train: 48, n_test: 12, random_seeds: [0, 1] });
    expect(r.set).toEqual({ name: 'tiny set', source: 'split', points: 2 });
    // Clustered trained features against noise: the linear SVM on standardised features gains.
    expect(r.linear.standardized.diff.mean).toBeGreaterThan(0.3);
    expect(r.fewshot?.params).toEqual({ way: 3, shot: 2, query: 1, episodes: 2 });
    expect(tasks).toContain('Features of random init 2 of 2');
    expect(tasks).toContain('Fitting the SVMs');
    const before = random.calls.length;
    await a.compareInit(params, () => {});
    expect(random.calls.length).toBe(before);
  });

  /**
   * An evaluation set over the same 60 feature rows: clouds of 3 points whose first coordinate is
   * the row, train the rows `trainRows`, test the others; the model reads 2 points of each.
   */
  function evalClouds(trainRows: (i: number) => boolean, N0 = 3) {
    const split = (rowsOf: number[]) => {
      const points = new Float32Array(rowsOf.length * N0 * 3); // [n, N0, 3]
      rowsOf.forEach((r, i) => {
        points[i * N0 * 3] = r;
      });
      return { n: rowsOf.length, points, labels: Int32Array.from(rowsOf, (r) => labels[r]!) };
    };
    const all = Array.from({ length: n }, (_, i) => i);
    return {
      name: 'my-h5',
      pointsPerCloud: N0,
      train: split(all.filter(trainRows)),
      test: split(all.filter((i) => !trainRows(i))),
      notes: ['no test file: split 80/20 per class (seed 0)'],
    };
  }

  it('what pretraining buys on an evaluation set: its own clouds, in chunks, random features kept per set', async () => {
    const { h, trained, random, seeds, counts } = host();
    const a = new ModelAnalyses(h);
    // 40 train, 20 test: the train split takes two jobs of 32 and 8 clouds.
    const set = evalClouds((i) => i % 3 !== 0);
    const params = {
      seeds: 2,
      draws: 2,
      fewshot: { way: 3, shot: 2, query: 1, episodes: 2 },
      seed: 0,
      on: 'eval-set' as const,
    };
    const tasks: string[] = [];
    const r = await a.compareInit(params, (t) => tasks.push(t), set);
    expect(r).toMatchObject({ step: 5, n_train: 40, n_test: 20, random_seeds: [0, 1] });
    expect(r.set).toEqual({ name: 'my-h5', source: 'eval-set', points: 2 });
    expect(trained.calls).toEqual([
      { kind: 'clouds', n: 32 },
      { kind: 'clouds', n: 8 },
      { kind: 'clouds', n: 20 },
    ]);
    // The dataset's own objects were not read: the comparison is on the set's clouds.
    expect(trained.calls.some((c) => c.kind === 'features')).toBe(false);
    expect(seeds).toEqual([0, 1]);
    expect(counts().disposed).toBe(2);
    // The trained rows are clustered by class, the random ones noise (standardised, all labels).
    expect(r.linear.standardized.diff.mean).toBeGreaterThan(0.3);
    // How the set was split is stated with the result.
    expect(r.notes[0]).toBe('my-h5: no test file: split 80/20 per class (seed 0)');
    expect(tasks).toContain('Extracting features of my-h5');
    expect(tasks).toContain('Features of my-h5, random init 2 of 2');
    // Again: nothing is extracted twice (same set, same step); another set is extracted anew.
    const before = [trained.calls.length, random.calls.length];
    await a.compareInit(params, () => {}, set);
    expect([trained.calls.length, random.calls.length]).toEqual(before);
    const other = evalClouds((i) => i % 2 === 0);
    const r2 = await a.compareInit({ ...params, seeds: 1 }, () => {}, other);
    expect(r2).toMatchObject({ n_train: 30, n_test: 30 });
    expect(trained.calls.length).toBe(before[0]! + 2);
    expect(random.calls.length).toBe(before[1]! + 2);
    // The split's comparison is still the training set's.
    const r3 = await a.compareInit({ ...params, on: 'split' }, () => {}, set);
    expect(r3).toMatchObject({ n_train: 48, n_test: 12, set: { source: 'split', name: 'tiny set' } });
  });

  it('an evaluation-set comparison without a set, or with clouds smaller than the model reads, says so', async () => {
    const { h, trained } = host();
    const a = new ModelAnalyses(h);
    const params = { seeds: 1, draws: 1, fewshot: null, seed: 0, on: 'eval-set' as const };
    await expect(a.compareInit(params, () => {})).rejects.toThrow(/No evaluation set loaded/);
    await expect(
      a.compareInit(
        params,
        () => {},
        evalClouds((i) => i % 2 === 0, 1),
      ),
    ).rejects.toThrow('my-h5: its clouds have 1 points and the model reads 2');
    expect(trained.calls).toEqual([]);
  });

  it('an evaluation-set comparison while training runs reads a snapshot of the weights, then frees it', async () => {
    const { h, trained, copy, state, counts } = host();
    state.training = true;
    const a = new ModelAnalyses(h);
    const params = { seeds: 1, draws: 1, fewshot: null, seed: 0, on: 'eval-set' as const };
    const r = await a.compareInit(
      params,
      () => {},
      evalClouds((i) => i % 3 !== 0),
    );
    expect(r.step).toBe(9);
    expect(trained.calls).toEqual([]);
    expect(copy.calls.map((c) => c.kind)).toEqual(['clouds', 'clouds', 'clouds']);
    expect(counts()).toMatchObject({ snapshots: 1, disposed: 2 });
  });

  it('few-shot while training runs uses a snapshot of the weights at one step, then frees it', async () => {
    const { h, trained, copy, state, counts } = host();
    state.training = true;
    const a = new ModelAnalyses(h);
    const tasks: string[] = [];
    const r = await a.fewShot({ way: 5, shot: 2, query: 1, episodes: 6, seed: 0 }, (t) => tasks.push(t));
    expect(r.step).toBe(9);
    expect(r.trained.mean).toBeGreaterThan(r.random.mean);
    // Every trained feature came from the copy; the live model was not read.
    expect(trained.calls).toEqual([]);
    expect(copy.calls.filter((c) => c.kind === 'features').map((c) => c.n)).toEqual([32, 28]);
    expect(counts().snapshots).toBe(1);
    expect(counts().disposed).toBe(2); // the random encoder and the copy
    expect(tasks).toContain('Extracting features at step 9 (a copy of the weights)');
  });

  it('predicts the class of a cloud and lists its nearest objects; features cached per step', async () => {
    const { h, trained } = host();
    const a = new ModelAnalyses(h);
    // The fake reads the object index from the first coordinate.
    const p = await a.predict(Float32Array.of(13, 0, 0), () => {});
    expect(p.top[0]!.label).toBe(labels[13]);
    expect(p.top[0]!.className).toBe(classes[labels[13]!]);
    expect(p.nearest[0]).toMatchObject({ index: 13, id: 'o13', similarity: expect.closeTo(1, 5) });
    const featureJobs = () => trained.calls.filter((c) => c.kind === 'features').length;
    const first = featureJobs();
    expect(first).toBe(2); // 60 objects in chunks of 32
    await a.predict(Float32Array.of(2, 0, 0), () => {});
    expect(featureJobs()).toBe(first);
    a.invalidate();
    await a.predict(Float32Array.of(2, 0, 0), () => {});
    expect(featureJobs()).toBe(2 * first);
  });

  it('calibrates the OOD verdict on reference clouds, encoded by the model at the step it judges', async () => {
    const { h, trained } = host();
    const a = new ModelAnalyses(h);
    // The reference: the objects of the first two classes (labels 1 and 4), as clouds of 2 points
    // (first coordinate: the object).
    const rows = [...labels.keys()].filter((i) => labels[i]! <= 4);
    const points = new Float32Array(rows.length * 6); // [n, 2, 3]
    rows.forEach((o, r) => {
      points[r * 6] = o;
    });
    a.setOodReferenceClouds({
      name: 'toy, train split: 20 shapes of 2 classes',
      points,
      n: rows.length,
      labels: Int32Array.from(rows, (o) => labels[o]!),
      classes,
    });
    const stranger = [...labels.keys()].find((i) => labels[i] === 13)!;
    const p = await a.predict(Float32Array.of(stranger, 0, 0), () => {});
    expect(p.ood.reference).toEqual({
      name: 'toy, train split: 20 shapes of 2 classes',
      generated: false,
      isSet: false,
      shapes: 20,
      classes: 2,
    });
    expect(p.ood.calibrationShapes).toBe(20);
    expect(p.ood.outOfDistribution).toBe(true);
    const member = await a.predict(Float32Array.of(rows[3]!, 0, 0), () => {});
    expect(member.ood.outOfDistribution).toBe(false);
    expect(['class1', 'class4']).toContain(member.ood.nearestClass);
    // Encoded once at this step, not per judgement.
    expect(trained.calls.filter((c) => c.kind === 'clouds')).toEqual([{ kind: 'clouds', n: 20 }]);
    a.setOodReferenceClouds(undefined);
    const back = await a.predict(Float32Array.of(stranger, 0, 0), () => {});
    expect(back.ood.reference).toMatchObject({ isSet: true, shapes: n });
  });
});
