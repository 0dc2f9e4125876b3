/**
 * A user's file as the encoder takes it: read (any supported format), resampled to n points and
 * normalised like the training data. Any problem with the file is an InputError naming it.
 */
import { InputError } from '../../util/errors';
import { Rng } from '../../util/random';
import { normaliseCloud, type UpAxis } from '../geometry';
import { isSet, loadAny, toPointCloud } from './index';

/** A user file read and resampled to a cloud of n points. */
export interface ReadShape {
  format: string;
  /** [n·3] as read (before normalising). */
  points: Float32Array;
  note: string;
  warnings: string[];
}

/** Any supported file → n points (a mesh is sampled on its surface; an HDF5 set gives its first cloud). */
export async function readShape(
  name: string,
  bytes: Uint8Array,
  n: number,
  seed: number,
): Promise<ReadShape> {
  const loaded = await loadAny(name, bytes);
  const rng = new Rng(seed);
  if (isSet(loaded)) {
    const N = loaded.pointsPerCloud;
    const first = { points: loaded.points.subarray(0, N * 3) };
    const r = toPointCloud({ ...first, file: name, format: 'hdf5', properties: [], warnings: [] }, n, rng);
    return {
      format: 'hdf5',
      points: r.points,
      note: `the file holds ${loaded.count} clouds: the first one, ${r.note}`,
      warnings: loaded.warnings,
    };
  }
  const r = toPointCloud(loaded, n, rng);
  return { format: loaded.format, points: r.points, note: r.note, warnings: loaded.warnings };
}

export interface UserCloud {
  format: string;
  /** [n·3] centred, on the unit sphere, y up. */
  points: Float32Array;
  /** What was done to the file's points (sampling, normalisation), for the user. */
  notes: string[];
  warnings: string[];
}

/** readShape, then normaliseCloud; every failure to read becomes an InputError. */
export async function readUserCloud(
  name: string,
  bytes: Uint8Array,
  n: number,
  upAxis: UpAxis,
): Promise<UserCloud> {
  let shape: ReadShape;
  try {
    shape = await readShape(name, bytes, n, 1);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  return {
    format: shape.format,
    points: normaliseCloud(shape.points, upAxis),
    notes: [
      shape.note,
      `centred and scaled to the unit sphere${upAxis === 'z' ? ', turned from z-up to y-up' : ''}`,
    ],
    warnings: shape.warnings,
  };
}

/**
 * Every cloud of a file as the encoder takes it: an HDF5 set gives each of its clouds (with its
 * label, when the file has one), any other file its one shape (as readUserCloud).
 */
export async function readUserClouds(
  name: string,
  bytes: Uint8Array,
  n: number,
  upAxis: UpAxis,
): Promise<(UserCloud & { label?: number })[]> {
  let loaded: Awaited<ReturnType<typeof loadAny>>;
  try {
    loaded = await loadAny(name, bytes);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  if (!isSet(loaded)) return [await readUserCloud(name, bytes, n, upAxis)];
  const N = loaded.pointsPerCloud;
  const set = loaded;
  return Array.from({ length: set.count }, (_, i) => {
    const r = setCloudAsUser(name, set.points.subarray(i * N * 3, (i + 1) * N * 3), n, upAxis);
    return {
      format: 'hdf5',
      points: r.points,
      notes: [`cloud ${i} of ${set.count}: ${r.note}`, 'centred and scaled to the unit sphere'],
      warnings: set.warnings,
      ...(set.labels ? { label: set.labels[i]! } : {}),
    };
  });
}

/**
 * One cloud of a set (points [N0·3]) as readUserClouds gives it: n of its points (seeded), centred,
 * on the unit sphere, y up. The Classify panel's evaluation-set reference reads clouds this way,
 * so its shapes are prepared exactly as the files it judges.
 */
export function setCloudAsUser(
  name: string,
  points: Float32Array,
  n: number,
  upAxis: UpAxis,
): { points: Float32Array; note: string } {
  const r = toPointCloud({ points, file: name, format: 'hdf5', properties: [], warnings: [] }, n, new Rng(1));
  return { points: normaliseCloud(r.points, upAxis), note: r.note };
}
