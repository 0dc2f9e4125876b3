import { createBufferFrom } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize } from '../gpu/limits';
import type { RgbImage } from '../data/loaders/png';
import { toPointCloud } from '../data/loaders/resample';
import { loadShapeNetObject, type ShapeNetIndex } from '../data/loaders/shapenet-folder';
import { Rng } from '../util/random';
import type { TrainingData } from './training-data';

/** Bilinear resize of an RGB8 image to S×S, as CHW floats in [0, 1] written into `out` at `offset`. */
export function resizeToChw(img: RgbImage, S: number, out: Float32Array, offset: number): void {
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
        out[offset + c * S * S + y * S + x] = v / 255;
      }
    }
  }
}

/**
 * A ShapeNet-layout folder (a .ply per object + ShapeNetRendering views; what `crosspoint sample`
 * writes, or the reference's own data) as GPU training data. Every object gets `points` points
 * (sampled on the surface for meshes, resampled for clouds) and `views` views resized to S×S;
 * objects with fewer views repeat theirs. The split is a seeded 80/20 per class.
 */
export async function trainingDataFromFolder(
  ctx: GpuContext,
  index: ShapeNetIndex,
  o: { points: number; views: number; imageSize: number; seed: number; testFraction?: number },
  onProgress?: (done: number, total: number) => void,
): Promise<TrainingData> {
  const S = o.imageSize;
  const n = index.objects.length;
  checkBufferSize(
    ctx.limits,
    n * o.views * 3 * S * S * 4,
    'the views of the dataset',
    '--views or the preset',
  );
  const clouds = new Float32Array(n * o.points * 3);
  const images = new Float32Array(n * o.views * 3 * S * S);
  const labels = new Int32Array(n);
  const rng = new Rng(o.seed);
  const hostClouds: Float32Array[] = [];
  for (const [i, obj] of index.objects.entries()) {
    if (obj.views.length === 0) throw new Error(`${obj.synset}/${obj.objectId} has no rendered views`);
    const pick = Array.from({ length: o.views }, (_, v) => v % obj.views.length);
    const loaded = await loadShapeNetObject(obj, [...new Set(pick)]);
    const pts = toPointCloud(loaded.cloud, o.points, rng).points;
    clouds.set(pts, i * o.points * 3);
    hostClouds.push(pts);
    pick.forEach((p, v) => {
      const img = loaded.views[[...new Set(pick)].indexOf(p)]!;
      resizeToChw(img, S, images, (i * o.views + v) * 3 * S * S);
    });
    labels[i] = index.synsets.indexOf(obj.synset);
    onProgress?.(i + 1, n);
  }
  const classes = index.synsets.map((s) => index.objects.find((x) => x.synset === s)?.category ?? s);
  const split: ('train' | 'test')[] = new Array(n).fill('train');
  const frac = o.testFraction ?? 0.2;
  for (let c = 0; c < classes.length; c++) {
    const members = rng.shuffle([...labels.keys()].filter((i) => labels[i] === c));
    const nTest = members.length >= 2 ? Math.max(1, Math.round(members.length * frac)) : 0;
    for (const i of members.slice(0, nTest)) split[i] = 'test';
  }
  const count = (which: 'train' | 'test') =>
    classes.map((_, c) => split.filter((s, i) => s === which && labels[i] === c).length);
  const cloudBuf = createBufferFrom(ctx, clouds, 'data.clouds');
  const imageBuf = createBufferFrom(ctx, images, 'data.views');
  return {
    summary: {
      name: `ShapeNet-layout folder (${n} objects)`,
      classes,
      trainCounts: count('train'),
      testCounts: count('test'),
      points: o.points,
      views: o.views,
      imageSize: S,
    },
    labels,
    ids: index.objects.map((x) => `${x.synset}/${x.objectId}`),
    split,
    trainIndices: split.flatMap((s, i) => (s === 'train' ? [i] : [])),
    testIndices: split.flatMap((s, i) => (s === 'test' ? [i] : [])),
    pointsPerCloud: o.points,
    viewsPerObject: o.views,
    imageSize: S,
    clouds: cloudBuf,
    images: imageBuf,
    hostClouds,
    destroy() {
      cloudBuf.destroy();
      imageBuf.destroy();
    },
  };
}
