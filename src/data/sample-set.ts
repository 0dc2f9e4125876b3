// The generated sample set the app ships instead of third-party data: `perClass` objects in each
// of the 13 categories, each with a mesh, surface points and normals, view cameras and a colour,
// split 80/20 per class into train and test. Pure CPU; rendering is in sample-render.ts.
import { Rng } from '../util/random';
import { drawCameras, type ViewCamera } from '../kernels/render-camera';
import type { Mesh } from './mesh';
import { samplePoints } from './sampling';
import { CATEGORIES, type Category, generateObject, objectSeed, SYNSETS } from './shapes';

export interface SampleSetOptions {
  /** Objects per category. */
  perClass: number;
  /** Surface points per object. */
  points: number;
  /** Rendered views per object. */
  views: number;
  /** Side of a rendered view in pixels. */
  imageSize: number;
  seed: number;
  /** Share of each class held out for test (default 0.2). */
  testFraction?: number;
}

export interface SampleObject {
  category: Category;
  /** Index of the category in CATEGORIES. */
  label: number;
  /** Index of the object within its category. */
  index: number;
  /** Unique name within the set, used as the file name: `<category>_<index>_<hash>`. */
  id: string;
  synset: string;
  split: 'train' | 'test';
  mesh: Mesh;
  /** [N * 3] surface points */
  points: Float32Array;
  /** [N * 3] unit normals at the points */
  normals: Float32Array;
  /**
   * [N] part id of each point (src/data/shapes/part-ids.ts): ShapeNetPart's global part ids for
   * airplane, car, chair, lamp and table, the generator's own parts (50 on) elsewhere.
   */
  parts: Uint8Array;
  cameras: ViewCamera[];
  /** Colour the object is rendered in, RGB in [0, 1]. */
  color: [number, number, number];
}

export interface SampleSet {
  options: Required<SampleSetOptions>;
  classes: readonly Category[];
  /** Class by class, objects in index order within a class. */
  objects: SampleObject[];
}

/** Muted material colours, like the untextured look of many ShapeNet renderings. */
const PALETTE: [number, number, number][] = [
  [0.62, 0.64, 0.7],
  [0.7, 0.55, 0.42],
  [0.45, 0.5, 0.62],
  [0.75, 0.72, 0.66],
  [0.55, 0.6, 0.5],
  [0.68, 0.45, 0.45],
  [0.4, 0.42, 0.45],
  [0.8, 0.78, 0.74],
];

/** Per-object streams, derived from the object's seed so each is independent of the others. */
const POINTS_STREAM = 0x51ed27;
const VIEWS_STREAM = 0x7f4a7c15;

/**
 * Objects are a pure function of (category, index, seed): growing `perClass` keeps the first
 * objects as they were. The split per class: a seeded shuffle of the indices, the first
 * round(perClass · testFraction) (at least one when perClass ≥ 2) go to test.
 */
export function generateSampleSet(opts: SampleSetOptions): SampleSet {
  const options: Required<SampleSetOptions> = { testFraction: 0.2, ...opts };
  const { perClass, points, views, seed, testFraction } = options;
  for (const [k, v] of Object.entries({ perClass, points, views, imageSize: options.imageSize })) {
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`generateSampleSet: ${k} must be a positive integer (got ${v})`);
  }
  const objects: SampleObject[] = [];
  CATEGORIES.forEach((category, label) => {
    const order = new Rng(objectSeed(category, 0xffffffff, seed)).shuffle([...Array(perClass).keys()]);
    let nTest = Math.round(perClass * testFraction);
    if (perClass >= 2 && testFraction > 0) nTest = Math.max(1, Math.min(perClass - 1, nTest));
    const test = new Set(order.slice(0, nTest));
    for (let index = 0; index < perClass; index++) {
      const os = objectSeed(category, index, seed);
      const mesh = generateObject(category, index, seed);
      const s = samplePoints(mesh, points, (os ^ POINTS_STREAM) >>> 0);
      const vr = new Rng((os ^ VIEWS_STREAM) >>> 0);
      const cameras = drawCameras(vr, views);
      const color = PALETTE[vr.int(PALETTE.length)]!;
      objects.push({
        category,
        label,
        index,
        id: `${category}_${String(index).padStart(4, '0')}_${os.toString(16).padStart(8, '0')}`,
        synset: SYNSETS[category],
        split: test.has(index) ? 'test' : 'train',
        mesh,
        points: s.points,
        normals: s.normals,
        parts: Uint8Array.from(s.faces, (f) => mesh.faceParts![f]!),
        cameras,
        color,
      });
    }
  });
  return { options, classes: CATEGORIES, objects };
}
