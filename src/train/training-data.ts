import { createBufferFrom } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize } from '../gpu/limits';
import type { ViewStore8 } from '../gpu/view-store';
import type { ObjectCache } from '../data/object-cache';
import { type RenderSetOptions, renderSampleSet } from '../data/sample-render';
import type { SampleSet } from '../data/sample-set';
import type { DatasetSummary } from './trainer-api';

/**
 * A dataset resident on the GPU for pretraining: every object's cloud and every rendered view,
 * uploaded once. A step gathers its batch from these by index (copies and an indexed
 * augmentation pass), so nothing crosses to the CPU per step.
 */
export interface TrainingData {
  summary: DatasetSummary;
  /** Per object: class label, id and split. */
  labels: Int32Array;
  ids: string[];
  split: ('train' | 'test')[];
  trainIndices: number[];
  testIndices: number[];
  /** Points stored per cloud (≥ the preset's point count; the first N are used). */
  pointsPerCloud: number;
  viewsPerObject: number;
  imageSize: number;
  /**
   * [objects, pointsPerCloud, 3] f32, surface points in the object's frame (y up); absent for a
   * streamed set, whose clouds and views are read per batch from `stream`.
   */
  clouds?: GPUBuffer;
  /**
   * The views, object i's view v at image i·views + v, in one of two forms: `images`
   * [objects · views, 3, S, S] f32 in [0, 1] (the generated set), or `views8`, 8-bit RGBA in
   * shards (sets read from folders: a third of the bytes; the step converts in a shader).
   */
  images?: GPUBuffer;
  views8?: ViewStore8;
  /**
   * A set over the GPU budget: every object's cloud and views in a cache on disk (OPFS or
   * IndexedDB in the tab), read batch by batch into a small GPU ring (src/train/stream-ring.ts).
   */
  stream?: ObjectCache;
  /** Host copies of the clouds (for the UI's 3-D viewer and for evaluation). */
  hostClouds: Float32Array[];
  destroy(): void;
}

/**
 * Uploads the generated sample set and renders all its views on the GPU: the one builder of a
 * sample set's training data (the CLI, the worker, tests and benchmarks use it).
 */
export async function trainingDataFromSampleSet(
  ctx: GpuContext,
  set: SampleSet,
  opts: RenderSetOptions = {},
): Promise<TrainingData> {
  const o = set.options;
  const n = set.objects.length;
  const cloudBytes = n * o.points * 3 * 4;
  checkBufferSize(ctx.limits, cloudBytes, 'the sample set clouds', opts.lower ?? '--per-class or --points');
  const all = new Float32Array(n * o.points * 3); // [n, N, 3]
  for (const [i, obj] of set.objects.entries()) all.set(obj.points, i * o.points * 3);
  const clouds = createBufferFrom(ctx, all, 'data.clouds');
  let images: GPUBuffer;
  try {
    images = await renderSampleSet(ctx, set, set.objects, opts);
  } catch (e) {
    clouds.destroy();
    throw e;
  }
  const split = set.objects.map((x) => x.split);
  const trainIndices = split.flatMap((s, i) => (s === 'train' ? [i] : []));
  const testIndices = split.flatMap((s, i) => (s === 'test' ? [i] : []));
  const classes = [...set.classes];
  const count = (which: 'train' | 'test') =>
    classes.map((_, c) => set.objects.filter((x) => x.label === c && x.split === which).length);
  return {
    summary: {
      name: `Generated sample set (seed ${o.seed}, ${o.perClass} per class${o.variation === 'hard' ? ', hard variation' : ''})`,
      classes,
      trainCounts: count('train'),
      testCounts: count('test'),
      points: o.points,
      views: o.views,
      imageSize: o.imageSize,
    },
    labels: Int32Array.from(set.objects.map((x) => x.label)),
    ids: set.objects.map((x) => x.id),
    split,
    trainIndices,
    testIndices,
    pointsPerCloud: o.points,
    viewsPerObject: o.views,
    imageSize: o.imageSize,
    clouds,
    images,
    hostClouds: set.objects.map((x) => x.points),
    destroy() {
      clouds.destroy();
      images.destroy();
    },
  };
}
