// Renders the views of sample-set objects into an image tensor on the GPU.
import { createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize } from '../gpu/limits';
import { imageTensorBytes, planRender, uploadMesh, type ViewRenderer } from '../kernels/render';
import type { SampleObject, SampleSet } from './sample-set';

/** Draw `obj`'s views into `out` at images firstImage … firstImage + views − 1. */
export function renderObjectViews(
  ctx: GpuContext,
  renderer: ViewRenderer,
  obj: SampleObject,
  out: GPUBuffer,
  firstImage: number,
): void {
  const mesh = uploadMesh(ctx, obj.mesh);
  renderer.render(mesh, obj.cameras, out, firstImage, { color: obj.color });
  // Safe right after submit: WebGPU keeps a destroyed buffer alive for work already submitted.
  mesh.destroy();
}

/** Objects rendered between two progress reports (and GPU waits, so the queue stays short). */
const RENDER_CHUNK = 8;

export interface RenderSetOptions {
  /** Objects rendered so far; when given, each chunk of objects is waited for before reporting. */
  onProgress?: (done: number, total: number) => void;
  /** The settings to lower when the tensor is over the adapter's limits (the host's names). */
  lower?: string;
}

/**
 * All views of `objects` (default: the whole set) in one tensor [objects · views, 3, S, S] f32,
 * object i's view v at image i · views + v. No readback.
 */
export async function renderSampleSet(
  ctx: GpuContext,
  set: SampleSet,
  objects: readonly SampleObject[] = set.objects,
  opts: RenderSetOptions = {},
): Promise<GPUBuffer> {
  const { views, imageSize: S } = set.options;
  const bytes = imageTensorBytes(objects.length * views, S);
  checkBufferSize(
    ctx.limits,
    bytes,
    'the rendered views of the sample set',
    opts.lower ?? '--views, --size or --per-class',
  );
  const out = createStorageBuffer(ctx, bytes, 'sample.views');
  const renderer = await planRender(ctx, { size: S, maxViews: views });
  try {
    for (let s = 0; s < objects.length; s += RENDER_CHUNK) {
      const e = Math.min(objects.length, s + RENDER_CHUNK);
      for (let i = s; i < e; i++) renderObjectViews(ctx, renderer, objects[i]!, out, i * views);
      if (opts.onProgress) {
        await ctx.device.queue.onSubmittedWorkDone();
        opts.onProgress(e, objects.length);
      }
    }
    await ctx.device.queue.onSubmittedWorkDone();
  } catch (err) {
    out.destroy();
    throw err;
  } finally {
    renderer.destroy();
  }
  return out;
}
