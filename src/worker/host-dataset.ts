/**
 * The generated sample set as the worker holds it: the training data (one builder,
 * src/train/training-data.ts) plus what the Data panel shows: the objects, their points, a
 * thumbnail of each (first view, ≤ 64 px, read back once) and full-size views on request.
 */
import { downsampleRgba } from '../data/geometry';
import { readViewRgba8 } from '../kernels/render';
import { generateSampleSet } from '../data/sample-set';
import type { GpuContext } from '../gpu/context';
import { type TrainingData, trainingDataFromSampleSet } from '../train/training-data';
import type { DatasetInfo, DatasetSource, ObjectDetail, SampleSetParams, Thumb } from './protocol';

const THUMB = 64;

export interface HostDataset {
  info: Omit<DatasetInfo, 'seconds'>;
  /** [N·3] surface points of object i. */
  points(i: number): Float32Array;
  /** Rendered views of object i (full size). */
  views(i: number): Promise<Thumb[]>;
  /** What the trainer reads; the worker owns its buffers (dispose frees them). */
  data: TrainingData;
  dispose(): void;
}

export async function generateHostDataset(
  ctx: GpuContext,
  params: SampleSetParams,
  onProgress: (task: string, done: number, total: number) => void,
): Promise<HostDataset> {
  onProgress('Building meshes and sampling points', 0, 0);
  // Let the progress message go out before the CPU-bound generation.
  await new Promise((r) => setTimeout(r, 0));
  const set = generateSampleSet({
    perClass: params.perClass,
    points: params.points,
    views: params.views,
    imageSize: params.imageSize,
    seed: params.seed,
  });
  const data = await trainingDataFromSampleSet(ctx, set, {
    onProgress: (done, total) => onProgress('Rendering views', done, total),
    lower: 'objects per class, views per object or the preset',
  });
  return hostDatasetOf(ctx, data, params, (i) => set.objects[i]!.points);
}

/** View `image` of the data as RGBA8, whichever form the views are kept in. */
function readView(ctx: GpuContext, data: TrainingData, image: number): Promise<Uint8Array> {
  if (data.stream) {
    const V = data.viewsPerObject;
    return data.stream.readView(Math.floor(image / V), image % V);
  }
  if (data.views8) return data.views8.read(image);
  if (!data.images) throw new Error('training data without views');
  return readViewRgba8(ctx, data.images, image, data.imageSize);
}

/**
 * Any training data as the Data panel shows it: a thumbnail of each object's first view (read
 * back once), its points and its full-size views on request. Takes ownership of `data`.
 */
export async function hostDatasetOf(
  ctx: GpuContext,
  data: TrainingData,
  params: SampleSetParams,
  points: (i: number) => Float32Array,
  source?: DatasetSource,
): Promise<HostDataset> {
  const { viewsPerObject: V, imageSize: S } = data;
  const n = data.labels.length;
  const thumbs: Thumb[] = [];
  try {
    for (let i = 0; i < n; i++) {
      thumbs.push(downsampleRgba(await readView(ctx, data, i * V), S, THUMB));
    }
  } catch (e) {
    data.destroy();
    throw e;
  }
  return {
    info: {
      summary: data.summary,
      params,
      objects: data.ids.map((id, i) => ({ id, label: data.labels[i]!, split: data.split[i]! })),
      thumbs,
      ...(source ? { source } : {}),
    },
    points,
    views: async (i) => {
      const out: Thumb[] = [];
      for (let v = 0; v < V; v++) out.push({ size: S, rgba: await readView(ctx, data, i * V + v) });
      return out;
    },
    data,
    dispose: () => data.destroy(),
  };
}

/** Object `index` for the Data panel: its points and full-size views, copied (so they can be transferred). */
export async function objectDetail(ds: HostDataset, index: number): Promise<ObjectDetail> {
  const o = ds.info.objects[index];
  if (!o) throw new Error(`no object ${index} (the set has ${ds.info.objects.length})`);
  const points = ds.points(index).slice();
  const views = (await ds.views(index)).map((v) => ({ size: v.size, rgba: v.rgba.slice() }));
  const className = ds.info.summary.classes[o.label] ?? String(o.label);
  return { index, ...o, className, points, views };
}

/** The dataset's description for the page, thumbnails copied (the dataset keeps its own) to be transferred. */
export function transferableInfo(ds: HostDataset, seconds: number): DatasetInfo {
  const thumbs = ds.info.thumbs.map((t) => ({ size: t.size, rgba: t.rgba.slice() }));
  return { ...ds.info, thumbs, seconds };
}
