/**
 * Point clouds for `encode` and `grad`: a NumPy .npy (float32, [B, N, 3] or [N, 3], C order), an
 * HDF5 file with a `data` dataset ([B, N, ≥3]), or a single-shape file (.ply, .off, .obj, .txt; a
 * mesh is sampled on its surface). Every problem is an InputError naming the flag and the file.
 */
import { readFileSync } from 'node:fs';
import { DataFormatError } from '../data/errors';
import { isSet, loadAny, toPointCloud } from '../data/loaders/index';
import { NpyError, readNpy } from '../io/npy';
import { Rng } from '../util/random';
import { kProblem } from '../kernels/knn-limits';
import { InputError } from './errors';

export interface Clouds {
  B: number;
  N: number;
  /** [B, N, 3] point-major xyz */
  xyz: Float32Array;
}

export function readBytes(path: string, flag: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new InputError(`--${flag}: cannot read "${path}": ${why}`);
  }
}

/** Points sampled on a mesh's surface when the file is a mesh and no --points is given. */
const MESH_POINTS = 2048;

/**
 * Reads clouds; with `points`, keeps the first `points` of each cloud (as the reference's data
 * loaders do) and refuses clouds with fewer. Refuses non-finite coordinates and fewer points than k.
 */
export async function readClouds(
  path: string,
  flag: string,
  o: { points?: number; k?: number },
): Promise<Clouds> {
  const bytes = readBytes(path, flag);
  let B: number;
  let N: number;
  let xyz: Float32Array;
  if (path.toLowerCase().endsWith('.npy')) {
    let a: ReturnType<typeof readNpy>;
    try {
      a = readNpy(bytes);
    } catch (e) {
      if (e instanceof NpyError) throw new InputError(`--${flag} "${path}": ${e.message}`);
      throw e;
    }
    if (a.dtype !== 'float32')
      throw new InputError(`--${flag} "${path}": points must be float32, got ${a.dtype}`);
    const s = a.shape;
    if (!((s.length === 3 && s[2] === 3) || (s.length === 2 && s[1] === 3)) || s.includes(0)) {
      throw new InputError(`--${flag} "${path}": points must have shape [B, N, 3], got [${s.join(', ')}]`);
    }
    B = s.length === 3 ? s[0]! : 1;
    N = s.length === 3 ? s[1]! : s[0]!;
    xyz = a.data as Float32Array;
  } else {
    try {
      const loaded = await loadAny(path, bytes);
      if (isSet(loaded)) {
        B = loaded.count;
        N = loaded.pointsPerCloud;
        xyz = loaded.points;
      } else {
        const pts = loaded.faces
          ? toPointCloud(loaded, o.points ?? MESH_POINTS, new Rng(0)).points
          : loaded.points;
        B = 1;
        N = pts.length / 3;
        xyz = pts;
      }
    } catch (e) {
      if (e instanceof DataFormatError) throw new InputError(`--${flag}: ${e.message}`);
      throw e;
    }
  }
  if (o.points !== undefined && o.points !== N) {
    if (N < o.points) {
      throw new InputError(
        `--${flag} "${path}": the clouds have ${N} points, fewer than --points ${o.points}`,
      );
    }
    const cut = new Float32Array(B * o.points * 3);
    for (let b = 0; b < B; b++) cut.set(xyz.subarray(b * N * 3, (b * N + o.points) * 3), b * o.points * 3);
    xyz = cut;
    N = o.points;
  }
  const bad = xyz.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const p = Math.floor(bad / 3);
    throw new InputError(
      `--${flag} "${path}": cloud ${Math.floor(p / N)} point ${p % N} has a non-finite coordinate (${xyz[bad]})`,
    );
  }
  const why = o.k === undefined ? undefined : kProblem(o.k, N);
  if (why) throw new InputError(`--${flag} "${path}": ${why}`);
  return { B, N, xyz };
}
