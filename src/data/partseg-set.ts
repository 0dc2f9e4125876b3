// Part-segmentation data in one shape whatever its source: S clouds of N points, each with its
// ShapeNetPart category and a global part id (0-49) per point. Sources: ShapeNetPart's HDF5
// files (`ply_data_*.h5`: data, label, pid), its text layout (`x y z nx ny nz part` files in
// synset folders, with train_test_split/*.json) and the generated sample set (the five
// categories ShapeNetPart has). Every check names the source and says what to do.
import { InputError } from '../util/errors';
import { Rng } from '../util/random';
import { resample } from './loaders/resample';
import type { LoadedSet, LoadedShape } from './loaders/types';
import type { SampleSet } from './sample-set';
import { GENERATED_PARTS } from './shapes/part-ids';
import {
  categoryParts,
  PART_NAMES,
  SHAPENETPART_CATEGORY_COUNT,
  shapeNetPartCategory,
} from './shapenetpart-parts';
import { SHAPENETPART_CATEGORIES } from './loaders/class-names';

export interface PartsegSet {
  /** Where it came from, for messages. */
  source: string;
  /** Clouds. */
  S: number;
  /** Points per cloud. */
  N: number;
  /** [S·N·3] xyz, point-major per cloud */
  points: Float32Array;
  /** [S] ShapeNetPart category index (0-15) */
  categories: Int32Array;
  /** [S·N] global part id (0-49), inside the cloud's category's range */
  parts: Int32Array;
  /** [S] a name per cloud (file or object id), when known */
  names?: string[];
  /** Things that were odd but not fatal (resampled clouds...). */
  notes: string[];
}

/** Checks categories and parts against ShapeNetPart's tables; throws InputError at the first problem. */
export function checkPartsegSet(set: PartsegSet): void {
  const { source, S, N } = set;
  if (S < 1) throw new InputError(`${source}: holds no clouds`);
  if (set.points.length !== S * N * 3 || set.parts.length !== S * N || set.categories.length !== S) {
    throw new InputError(
      `${source}: ${S} clouds of ${N} points need ${S * N} part labels (got ${set.parts.length})`,
    );
  }
  const who = (s: number) => (set.names?.[s] ? `cloud ${s} (${set.names[s]})` : `cloud ${s}`);
  for (let s = 0; s < S; s++) {
    const c = set.categories[s]!;
    if (!Number.isInteger(c) || c < 0 || c >= SHAPENETPART_CATEGORY_COUNT) {
      throw new InputError(
        `${source}: ${who(s)} has category ${c}, outside ShapeNetPart's 0..${SHAPENETPART_CATEGORY_COUNT - 1} ` +
          `(${SHAPENETPART_CATEGORIES.map((k, i) => `${i} ${k.name}`).join(', ')})`,
      );
    }
    const { first, count } = categoryParts(c);
    for (let i = s * N; i < (s + 1) * N; i++) {
      const p = set.parts[i]!;
      if (p < first || p >= first + count) {
        throw new InputError(
          `${source}: ${who(s)} point ${i - s * N} has part ${p}, but a ${SHAPENETPART_CATEGORIES[c]!.name} has parts ` +
            `${first}..${first + count - 1} (${PART_NAMES[c]!.join(', ')}); check the category labels or the part ids`,
        );
      }
    }
  }
  for (let i = 0; i < set.points.length; i++) {
    if (!Number.isFinite(set.points[i]!)) {
      const p = Math.floor(i / 3);
      throw new InputError(`${source}: ${who(Math.floor(p / N))} point ${p % N} has a non-finite coordinate`);
    }
  }
}

/**
 * A ShapeNetPart HDF5 file (data [S, N0, 3], label [S, 1] category, pid [S, N0] part): the first
 * `points` points of every cloud, as the reference's dataset takes `[:num_points]`.
 */
export function partsegFromHdf5(loaded: LoadedSet, points?: number): PartsegSet {
  const file = loaded.file;
  if (!loaded.pointLabels) {
    throw new InputError(
      `${file}: no per-point part labels (no 'pid' dataset; found ${loaded.properties.join(', ')}): ` +
        'part segmentation needs ShapeNetPart files (ply_data_*.h5 with data, label and pid)',
    );
  }
  if (!loaded.labels) {
    throw new InputError(`${file}: no 'label' dataset: every cloud needs its ShapeNetPart category (0-15)`);
  }
  const N0 = loaded.pointsPerCloud;
  const N = points ?? N0;
  if (N > N0) {
    throw new InputError(`${file}: clouds have ${N0} points, fewer than the ${N} asked for (lower --points)`);
  }
  const S = loaded.count;
  const xyz = new Float32Array(S * N * 3);
  const parts = new Int32Array(S * N);
  for (let s = 0; s < S; s++) {
    xyz.set(loaded.points.subarray(s * N0 * 3, (s * N0 + N) * 3), s * N * 3);
    parts.set(loaded.pointLabels.subarray(s * N0, s * N0 + N), s * N);
  }
  const set: PartsegSet = {
    source: file,
    S,
    N,
    points: xyz,
    categories: Int32Array.from(loaded.labels),
    parts,
    notes: [],
  };
  checkPartsegSet(set);
  return set;
}

/**
 * ShapeNetPart text files (one loaded shape each, its category from its synset folder): each
 * resampled to `points` points, seeded (the files hold 2,000-3,000 points each, never the same).
 */
export function partsegFromTextShapes(
  source: string,
  shapes: LoadedShape[],
  points: number,
  seed: number,
): PartsegSet {
  const S = shapes.length;
  if (S < 1) throw new InputError(`${source}: no ShapeNetPart text files`);
  const xyz = new Float32Array(S * points * 3);
  const parts = new Int32Array(S * points);
  const categories = new Int32Array(S);
  const notes: string[] = [];
  const rng = new Rng(seed);
  shapes.forEach((shape, s) => {
    if (!shape.pointLabels) {
      throw new InputError(`${shape.file}: no per-point part labels (the 7th column of x y z nx ny nz part)`);
    }
    if (shape.label === undefined) {
      throw new InputError(
        `${shape.file}: its category is unknown: ShapeNetPart text files sit in a folder named after their synset ` +
          `(${SHAPENETPART_CATEGORIES.map((c) => `${c.synset} ${c.name}`).join(', ')})`,
      );
    }
    const r = resample(shape, points, rng);
    if (r.withReplacement) notes.push(`${shape.file}: ${r.note}`);
    xyz.set(r.points, s * points * 3);
    parts.set(r.pointLabels!, s * points);
    categories[s] = shape.label;
  });
  const set: PartsegSet = {
    source,
    S,
    N: points,
    points: xyz,
    categories,
    parts,
    names: shapes.map((s) => s.file),
    notes,
  };
  checkPartsegSet(set);
  return set;
}

/**
 * The generated sample set's objects of one split whose category ShapeNetPart has (airplane,
 * car, chair, lamp, table), with their per-point part labels; the first `points` points of each
 * (the sample set's points are drawn independently, so any prefix is a uniform sample).
 */
export function partsegFromSample(set: SampleSet, split: 'train' | 'test', points?: number): PartsegSet {
  const objs = set.objects.filter(
    (o) => o.split === split && GENERATED_PARTS[o.category].shapeNetPart !== null,
  );
  const N0 = set.options.points;
  const N = points ?? N0;
  if (N > N0) throw new InputError(`sample: objects have ${N0} points, fewer than the ${N} asked for`);
  const S = objs.length;
  const xyz = new Float32Array(S * N * 3);
  const parts = new Int32Array(S * N);
  objs.forEach((o, s) => {
    xyz.set(o.points.subarray(0, N * 3), s * N * 3);
    for (let i = 0; i < N; i++) parts[s * N + i] = o.parts[i]!;
  });
  const out: PartsegSet = {
    source: `sample (${split})`,
    S,
    N,
    points: xyz,
    categories: Int32Array.from(objs, (o) => GENERATED_PARTS[o.category].shapeNetPart!),
    parts,
    names: objs.map((o) => o.id),
    notes: [],
  };
  checkPartsegSet(out);
  return out;
}

/** ShapeNetPart category of a name or index given by a user ("chair", "Chair", "4"), or a clear error. */
export function parseCategory(value: string, what = 'category'): number {
  const n = Number(value);
  const c = Number.isInteger(n) && value.trim() !== '' ? n : shapeNetPartCategory(value.trim());
  if (c < 0 || c >= SHAPENETPART_CATEGORY_COUNT) {
    throw new InputError(
      `${what} "${value}" is not a ShapeNetPart category: use a name or index of ` +
        SHAPENETPART_CATEGORIES.map((k, i) => `${i} ${k.name}`).join(', '),
    );
  }
  return c;
}

/** The scale and shift ranges of the reference's translate_pointcloud. */
export const PARTSEG_AUGMENT = { scaleLo: 2 / 3, scaleHi: 3 / 2, shift: 0.2 } as const;

/** What augmentedBatch does to each cloud. */
export interface BatchAugment {
  /** Per-axis scale U(2/3, 3/2) and shift U(−0.2, 0.2) (translate_pointcloud). */
  scaleShift: boolean;
  /** Shuffle the point order (points and parts together), as the reference's trainval loader. */
  shuffle: boolean;
}

export const TRAIN_AUGMENT: BatchAugment = { scaleShift: true, shuffle: true };
export const NO_AUGMENT: BatchAugment = { scaleShift: false, shuffle: false };

/**
 * A batch of clouds `indices` of `set`, augmented as `aug` says with draws from `rng` (none when
 * nothing is augmented). Returns [B·N·3] points, [B·N] parts, [B] categories.
 */
export function augmentedBatch(
  set: PartsegSet,
  indices: readonly number[],
  rng: Rng,
  aug: BatchAugment = TRAIN_AUGMENT,
): { points: Float32Array; parts: Int32Array; categories: Int32Array } {
  const { N } = set;
  const B = indices.length;
  const points = new Float32Array(B * N * 3);
  const parts = new Int32Array(B * N);
  const categories = new Int32Array(B);
  const order = new Array<number>(N);
  indices.forEach((s, b) => {
    categories[b] = set.categories[s]!;
    for (let i = 0; i < N; i++) order[i] = i;
    const scale = [1, 1, 1];
    const shift = [0, 0, 0];
    if (aug.scaleShift) {
      for (let k = 0; k < 3; k++) scale[k] = rng.uniform(PARTSEG_AUGMENT.scaleLo, PARTSEG_AUGMENT.scaleHi);
      for (let k = 0; k < 3; k++) shift[k] = rng.uniform(-PARTSEG_AUGMENT.shift, PARTSEG_AUGMENT.shift);
    }
    if (aug.shuffle) rng.shuffle(order);
    for (let i = 0; i < N; i++) {
      const src = s * N + order[i]!;
      for (let k = 0; k < 3; k++)
        points[(b * N + i) * 3 + k] = set.points[src * 3 + k]! * scale[k]! + shift[k]!;
      parts[b * N + i] = set.parts[src]!;
    }
  });
  return { points, parts, categories };
}
