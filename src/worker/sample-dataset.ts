/**
 * The generated sample set as the worker holds it: the CPU-side objects (meshes, points, split)
 * plus all views rendered once into one GPU image tensor [objects · views, 3, S, S], which the
 * trainer reads directly. Thumbnails (first view of each object, ≤ 64 px) are read back once.
 */
import { chwToRgba8, imageTensorBytes, planViewRenderer, readViewRgba8 } from '../data/render';
import { renderObjectViews } from '../data/sample-render';
import { generateSampleSet } from '../data/sample-set';
import { createBufferFrom, createStorageBuffer, readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize } from '../gpu/limits';
import { downsampleRgba } from './geometry';
import type { HostDataset } from './pieces';
import type { DatasetSummary } from '../train/trainer-api';
import type { TrainingData } from '../train/training-data';
import type { SampleSetParams, Thumb } from './protocol';

/**
 * What the trainer receives, plus one spare slot: beyond the n objects, index n is in no split and
 * has label −1; the Classify panel writes a user's cloud there to get its features through the
 * same eval path as the sample set's. So `clouds` is [n + 1, N, 3] and `images` [(n + 1) · views,
 * 3, S, S].
 */
export interface SampleDataset extends TrainingData {
  /** Index of the spare slot. */
  spare: number;
}

const THUMB = 64;
/** Objects rendered between progress reports (and GPU waits, so the queue stays short). */
const RENDER_CHUNK = 8;

export async function generateSampleDataset(
  ctx: GpuContext,
  params: SampleSetParams,
  onProgress: (done: number, total: number, task: string) => void,
): Promise<HostDataset> {
  onProgress(0, 0, 'Building meshes and sampling points');
  // Let the progress message go out before the CPU-bound generation.
  await new Promise((r) => setTimeout(r, 0));
  const set = generateSampleSet({
    perClass: params.perClass,
    points: params.points,
    views: params.views,
    imageSize: params.imageSize,
    seed: params.seed,
  });
  const { views: V, imageSize: S } = set.options;
  const n = set.objects.length;
  const N = params.points;
  const bytes = imageTensorBytes((n + 1) * V, S);
  checkBufferSize(
    ctx.limits,
    bytes,
    'the rendered views of the sample set',
    'objects per class or views per object',
  );
  const cloudBytes = (n + 1) * N * 3 * 4;
  checkBufferSize(ctx.limits, cloudBytes, 'the sample set clouds', 'objects per class');
  const images = createStorageBuffer(ctx, bytes, 'sample.views');
  const allClouds = new Float32Array((n + 1) * N * 3); // [n + 1, N, 3], the spare slot zero
  for (const [i, o] of set.objects.entries()) allClouds.set(o.points.subarray(0, N * 3), i * N * 3);
  const clouds = createBufferFrom(ctx, allClouds, 'sample.clouds');
  const renderer = await planViewRenderer(ctx, { size: S, maxViews: V });
  const thumbs: Thumb[] = [];
  const plane = 3 * S * S;
  try {
    for (let s = 0; s < n; s += RENDER_CHUNK) {
      const e = Math.min(n, s + RENDER_CHUNK);
      for (let i = s; i < e; i++) renderObjectViews(ctx, renderer, set.objects[i]!, images, i * V);
      for (let i = s; i < e; i++) {
        const rgba = chwToRgba8(await readF32(ctx, images, plane, i * V * plane), S);
        thumbs.push(downsampleRgba(rgba, S, THUMB));
      }
      onProgress(e, n, 'Rendering views');
    }
  } catch (err) {
    images.destroy();
    clouds.destroy();
    throw err;
  } finally {
    renderer.destroy();
  }

  const classes = [...set.classes];
  const trainCounts = classes.map(() => 0);
  const testCounts = classes.map(() => 0);
  for (const o of set.objects) (o.split === 'train' ? trainCounts : testCounts)[o.label]!++;
  const summary: DatasetSummary = {
    name: 'Generated sample set',
    classes,
    trainCounts,
    testCounts,
    points: N,
    views: V,
    imageSize: S,
  };
  const split = set.objects.map((o) => o.split);
  const destroy = () => {
    images.destroy();
    clouds.destroy();
  };
  const data: SampleDataset = {
    summary,
    labels: Int32Array.from([...set.objects.map((o) => o.label), -1]),
    ids: [...set.objects.map((o) => o.id), '(your file)'],
    split: [...split, 'test'],
    trainIndices: split.flatMap((x, i) => (x === 'train' ? [i] : [])),
    testIndices: split.flatMap((x, i) => (x === 'test' ? [i] : [])),
    pointsPerCloud: N,
    viewsPerObject: V,
    imageSize: S,
    clouds,
    images,
    hostClouds: set.objects.map((o) => o.points),
    spare: n,
    // The worker owns these buffers; the trainer's dispose must not free them.
    destroy: () => {},
  };
  return {
    info: {
      summary,
      params,
      objects: set.objects.map((o) => ({ id: o.id, label: o.label, split: o.split })),
      thumbs,
    },
    points: (i) => set.objects[i]!.points,
    views: async (i) => {
      const out: Thumb[] = [];
      for (let v = 0; v < V; v++) out.push({ size: S, rgba: await readViewRgba8(ctx, images, i * V + v, S) });
      return out;
    },
    forTrainer: data,
    dispose: destroy,
  };
}
