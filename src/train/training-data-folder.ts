import { DataFormatError } from '../data/errors';
import { drawCameras } from '../kernels/render-camera';
import type { FileProblem, FolderIndex } from '../data/folder-index';
import { loadFolderObject } from '../data/folder-object';
import { type FolderSubset, pickSubset } from '../data/folder-subset';
import type { RgbImage } from '../data/loaders/png';
import {
  imageTensorBytes,
  planRender,
  readViewRgba8,
  uploadMesh,
  type ViewRenderer,
} from '../kernels/render';
import { createViewStore8, type ViewStore8 } from '../gpu/view-store';
import { InputError } from '../util/errors';
import { createBufferFrom, createStorageBuffer } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { Rng } from '../util/random';
import { type ObjectCache, type OpenObjectCache, recordBytes } from '../data/object-cache';
import { checkBufferSize, maxBufferBytes } from '../gpu/limits';
import { DATA_BUDGET_BYTES, folderDataBytes, largestSet } from './training-data-bytes';
import type { TrainingData } from './training-data';

/**
 * Bilinear resize of an RGB8 image to S×S, as RGBA8 (alpha 255) rounded to the nearest byte: the
 * 8-bit views the training step reads (converted to f32 in its shader).
 */
export function resizeToRgba8(img: RgbImage, S: number): Uint8Array {
  const out = new Uint8Array(S * S * 4);
  const sx = img.width / S;
  const sy = img.height / S;
  for (let y = 0; y < S; y++) {
    const fy = Math.min(img.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < S; x++) {
      const fx = Math.min(img.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => img.rgb[(yy * img.width + xx) * 3 + c]!;
        const v =
          (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) +
          wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
        out[(y * S + x) * 4 + c] = Math.round(v);
      }
      out[(y * S + x) * 4 + 3] = 255;
    }
  }
  return out;
}

/** What loading a folder did, file by file: the objects kept, the files left out and why, the oddities. */
import { type FolderLoadReport, type StreamInfo, size } from './folder-load-report';

export { type FolderLoadReport, type StreamInfo, streamReason } from './folder-load-report';

/** Objects read back to measure the cache's read time. */
const READ_PROBE = 16;

export interface FolderTrainingData extends TrainingData {
  report: FolderLoadReport;
}

export interface FolderLoadOptions {
  points: number;
  views: number;
  imageSize: number;
  seed: number;
  /** Classes and objects per class (default: all). */
  subset?: Omit<FolderSubset, 'views'>;
  testFraction?: number;
  /** The settings to name when the set is over the adapter's limits (the host's names). */
  lower?: string;
  /** Bytes the clouds and views may take (default DATA_BUDGET_BYTES). */
  budget?: number;
  /**
   * Opens a cache on disk for a set over the budget or the adapter's limits, which then streams
   * its batches from there (the tab: OPFS, else IndexedDB); without it such a set is refused.
   */
  streamCache?: OpenObjectCache;
  /** Told, before anything is read, that the set will stream and why. */
  onStream?: (info: StreamInfo) => void;
}

/** The too-large message: the set, the budget, how many objects fit, and what to reduce. */
function overBudget(
  name: string,
  n: number,
  points: number,
  V: number,
  S: number,
  need: number,
  budget: number,
  lower: string,
) {
  return (
    `${name}: ${n} objects × ${V} views of ${S}×${S} (8-bit RGBA) and ${points} points take ${size(need)}, ` +
    `over the tab's ${size(budget)} budget for a dataset (it holds ${largestSet(budget, points, V, S)} such objects): lower ${lower}`
  );
}

/** Objects between progress reports (and GPU waits, so the render queue stays short). */
const CHUNK = 8;
/** Views of meshes: a light grey, lit like the generated set's. */
const MESH_COLOR: [number, number, number] = [0.72, 0.72, 0.75];

/**
 * A user's folder (CrossPoint's layout, what `crosspoint sample` writes, or folders of meshes;
 * src/data/folder-index.ts) as GPU training data: every object gets `points` points (sampled on
 * the surface for meshes, resampled for clouds) and `views` views of S×S (read and resized, or
 * rendered by the page's renderer for meshes). A file that cannot be read loses only its object,
 * and the report says which and why. The split is the folder's own or a seeded 20 % per class.
 */
export async function trainingDataFromFolder(
  ctx: GpuContext,
  index: FolderIndex,
  o: FolderLoadOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<FolderTrainingData> {
  const layout = index.layout;
  if (!layout) {
    throw new DataFormatError(
      index.name,
      { part: 'folder layout' },
      `no training objects, only evaluation sets (${index.evalFiles.map((e) => e.file.path).join(', ')})`,
    );
  }
  const S = o.imageSize;
  const V = o.views;
  const picked = pickSubset(
    index,
    { classes: [], perClass: 0, ...o.subset, views: V },
    o.seed,
    o.testFraction,
  );
  const n = picked.objects.length;
  let streamInfo: StreamInfo | undefined;
  const lower = o.lower ?? '--views, the classes or the objects per class';
  const bytes = folderDataBytes(n, o.points, V, S);
  const budget = o.budget ?? DATA_BUDGET_BYTES;
  const cap = maxBufferBytes(ctx.limits);
  const streams = o.streamCache && (bytes.total > budget || bytes.clouds > cap);
  let cache: ObjectCache | undefined;
  let views8: ViewStore8 | undefined;
  if (streams && o.streamCache) {
    const overBuffer = bytes.total <= budget;
    const info: StreamInfo = {
      where: '',
      need: overBuffer ? bytes.clouds : bytes.total,
      limit: overBuffer ? cap : budget,
      limitName: overBuffer ? "the adapter's largest buffer (the clouds)" : "the tab's budget for a dataset",
      cacheBytes: n * recordBytes({ points: o.points, views: V, size: S }),
    };
    // Opening checks the storage quota: a disk too small is refused here, before anything is read.
    cache = await o.streamCache({ points: o.points, views: V, size: S }, n);
    info.where = cache.where;
    o.onStream?.(info);
    streamInfo = info;
  } else {
    checkBufferSize(ctx.limits, bytes.clouds, 'the clouds of the dataset', lower);
    if (bytes.total > budget)
      throw new InputError(overBudget(index.name, n, o.points, V, S, bytes.total, budget, lower));
    views8 = createViewStore8(ctx, n * V, S, 'data.views8'); // [n·V] views of S×S RGBA8, sharded
  }
  const release = () => {
    views8?.destroy();
    void cache?.clear();
  };
  let renderer: ViewRenderer | undefined;
  let rendered: GPUBuffer | undefined;
  const clouds = new Float32Array(n * o.points * 3); // [n, N, 3], the loaded objects first
  const kept: typeof picked.objects = [];
  const hostClouds: Float32Array[] = [];
  const skipped: FileProblem[] = [...index.problems];
  const warnings: FileProblem[] = [];
  const rng = new Rng(o.seed);
  const cameraRng = new Rng(o.seed + 1);
  /** Object `slot`'s views go to the GPU store, or with its cloud to the cache on disk. */
  const keep = async (slot: number, cloud: Float32Array, views: Uint8Array[]) => {
    if (cache) return cache.write(slot, cloud, views);
    for (const [v, rgba] of views.entries()) views8!.write(slot * V + v, rgba);
  };
  try {
    if (layout !== 'crosspoint') {
      renderer = await planRender(ctx, { size: S, maxViews: V });
      rendered = createStorageBuffer(ctx, imageTensorBytes(V, S), 'data.rendered'); // [V, 3, S, S]
    }
    for (const [i, obj] of picked.objects.entries()) {
      try {
        const loaded = await loadFolderObject(obj, layout, { points: o.points, views: V, rng });
        const slot = kept.length;
        if (loaded.mesh && renderer && rendered) {
          // Rendered as f32, kept as 8-bit like a read view.
          const mesh = uploadMesh(ctx, loaded.mesh);
          renderer.render(mesh, drawCameras(cameraRng, V), rendered, 0, { color: MESH_COLOR });
          mesh.destroy(); // safe after submit
          const views: Uint8Array[] = [];
          for (let v = 0; v < V; v++) views.push(await readViewRgba8(ctx, rendered, v, S));
          await keep(slot, loaded.points, views);
        } else {
          await keep(
            slot,
            loaded.points,
            loaded.views.map((img) => resizeToRgba8(img, S)),
          );
        }
        clouds.set(loaded.points, slot * o.points * 3);
        hostClouds.push(loaded.points);
        kept.push(obj);
        warnings.push(...loaded.warnings);
      } catch (e) {
        if (!(e instanceof DataFormatError)) throw e;
        skipped.push({ file: e.file, problem: `${e.detail}; object ${obj.id} left out` });
      }
      if ((i + 1) % CHUNK === 0 || i + 1 === n) {
        await ctx.device.queue.onSubmittedWorkDone();
        onProgress?.(i + 1, n);
      }
    }
  } catch (e) {
    release();
    throw e;
  } finally {
    renderer?.destroy();
    rendered?.destroy();
  }
  if (kept.length === 0) {
    release();
    const first = skipped.find((s) =>
      picked.objects.some((p) => s.problem.endsWith(`object ${p.id} left out`)),
    );
    throw new DataFormatError(
      index.name,
      { part: 'objects' },
      `none of the ${n} objects could be read` + (first ? ` (first: ${first.file}: ${first.problem})` : ''),
    );
  }
  // Classes that lost every object are dropped; labels stay in class order.
  const present = picked.classes.filter((_, c) => kept.some((k) => k.label === c));
  const relabel = new Map(present.map((c, i) => [picked.classes.indexOf(c), i]));
  const labels = Int32Array.from(kept, (k) => relabel.get(k.label)!);
  const split = kept.map((k) => k.split);
  const classes = present.map((c) => c.name);
  const count = (which: 'train' | 'test') =>
    classes.map((_, c) => kept.filter((k, i) => k.split === which && labels[i] === c).length);
  const cloudBuf = cache
    ? undefined
    : createBufferFrom(ctx, clouds.subarray(0, kept.length * o.points * 3), 'data.clouds');
  if (cache && streamInfo) {
    streamInfo.cacheBytes = kept.length * recordBytes({ points: o.points, views: V, size: S });
    const m = Math.min(READ_PROBE, kept.length);
    const t0 = performance.now();
    for (let i = 0; i < m; i++) {
      await cache.readCloud(i);
      await cache.readView(i, i % V);
    }
    streamInfo.readMsPerObject = (performance.now() - t0) / m;
  }
  return {
    summary: {
      name: `${index.name} (${kept.length} objects)`,
      classes,
      trainCounts: count('train'),
      testCounts: count('test'),
      points: o.points,
      views: V,
      imageSize: S,
    },
    labels,
    ids: kept.map((k) => k.id),
    split,
    trainIndices: split.flatMap((s, i) => (s === 'train' ? [i] : [])),
    testIndices: split.flatMap((s, i) => (s === 'test' ? [i] : [])),
    pointsPerCloud: o.points,
    viewsPerObject: V,
    imageSize: S,
    ...(cloudBuf ? { clouds: cloudBuf } : {}),
    ...(views8 ? { views8 } : {}),
    ...(cache ? { stream: cache } : {}),
    hostClouds,
    report: {
      folder: index.name,
      layout,
      picked: n,
      loaded: kept.length,
      skipped,
      warnings,
      ...(streamInfo ? { stream: streamInfo } : {}),
    },
    destroy() {
      cloudBuf?.destroy();
      release();
    },
  };
}
