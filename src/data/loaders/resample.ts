import type { Rng } from '../../util/random';
import { sampleMeshSurface } from './mesh-sample';
import type { LoadedShape } from './types';

/** A cloud of exactly n points drawn from a loaded one. */
export interface Resampled {
  /** [n·3] */
  points: Float32Array;
  /** [n·3] when the source had normals (or faces, whose normals are used). */
  normals?: Float32Array;
  /** [n] when the source had per-point labels. */
  pointLabels?: Int32Array;
  /** [n] source point of each output point (absent when sampled from a mesh surface). */
  indices?: Int32Array;
  /** True when the source had fewer than n points, so some points repeat. */
  withReplacement: boolean;
  /** How the points were obtained, for the user. */
  note: string;
}

/**
 * Exactly n points of a cloud: the first n of a shuffled order (Rng.shuffle over all indices)
 * when there are at least n; otherwise every point once, in shuffled order, followed by n − N
 * points drawn uniformly with replacement — and `withReplacement` says so.
 */
export function resample(
  cloud: Pick<LoadedShape, 'points' | 'normals' | 'pointLabels'>,
  n: number,
  rng: Rng,
): Resampled {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`resample: n must be a positive integer (got ${n})`);
  const N = Math.floor(cloud.points.length / 3);
  if (N === 0) throw new RangeError('resample: the cloud has no points');
  const order = rng.shuffle(Array.from({ length: N }, (_, i) => i));
  const indices = new Int32Array(n);
  for (let i = 0; i < Math.min(n, N); i++) indices[i] = order[i]!;
  for (let i = N; i < n; i++) indices[i] = rng.int(N);
  const gather3 = (src: Float32Array) => {
    const out = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = src[indices[i]! * 3 + k]!;
    return out;
  };
  const out: Resampled = {
    points: gather3(cloud.points),
    indices,
    withReplacement: N < n,
    note: N < n ? `only ${N} points: ${n - N} drawn again with replacement` : `${n} of ${N} points, shuffled`,
  };
  if (cloud.normals) out.normals = gather3(cloud.normals);
  if (cloud.pointLabels) out.pointLabels = Int32Array.from(indices, (i) => cloud.pointLabels![i]!);
  return out;
}

/**
 * n points from any loaded shape: a mesh is sampled on its surface (area-weighted, face normals);
 * a cloud, or a mesh whose faces have no area, is resampled.
 */
export function toPointCloud(shape: LoadedShape, n: number, rng: Rng): Resampled {
  if (shape.faces && shape.faces.length >= 3) {
    const s = sampleMeshSurface(shape.points, shape.faces, n, rng);
    if (s) {
      return {
        points: s.points,
        normals: s.normals,
        withReplacement: false,
        note: `${n} points sampled on ${shape.faces.length / 3} triangles`,
      };
    }
    const r = resample(shape, n, rng);
    return { ...r, note: `the faces have no area; ${r.note}` };
  }
  return resample(shape, n, rng);
}
