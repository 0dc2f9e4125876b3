/**
 * The generated sample set as the worker holds it: the CPU-side objects (meshes, points, split)
 * plus all views rendered once into one GPU image tensor [objects · views, 3, S, S], which the
 * trainer reads directly. Thumbnails (first view of each object, ≤ 64 px) are read back once.
 */
import { chwToRgba8, imageTensorBytes, planViewRenderer, readViewRgba8 } from '../data/render';
import { renderObjectViews } from '../data/sample-render';
import { generateSampleSet, type SampleSet } from '../data/sample-set';
import { createStorageBuffer, readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize } from '../gpu/limits';
import { downsampleRgba } from './geometry';
import type { HostDataset } from './pieces';
import type { SampleSetParams, Thumb } from './protocol';

/** What the trainer receives as its dataset. */
export interface SampleDataset {
  set: SampleSet;
  /** [objects · views, 3, S, S] f32, object i's view v at image i · views + v. */
  images: GPUBuffer;
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
  const bytes = imageTensorBytes(n * V, S);
  checkBufferSize(
    ctx.limits,
    bytes,
    'the rendered views of the sample set',
    'objects per class or views per object',
  );
  const images = createStorageBuffer(ctx, bytes, 'sample.views');
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
    throw err;
  } finally {
    renderer.destroy();
  }

  const classes = [...set.classes];
  const trainCounts = classes.map(() => 0);
  const testCounts = classes.map(() => 0);
  for (const o of set.objects) (o.split === 'train' ? trainCounts : testCounts)[o.label]!++;
  const data: SampleDataset = { set, images };
  return {
    info: {
      summary: {
        name: 'Generated sample set',
        classes,
        trainCounts,
        testCounts,
        points: params.points,
        views: V,
        imageSize: S,
      },
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
    dispose: () => images.destroy(),
  };
}
