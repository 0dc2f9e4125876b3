/**
 * One object of a user's folder read for training: its cloud resampled to N points and its views
 * decoded (CrossPoint's layout), or its mesh normalised, sampled and ready to be rendered (mesh
 * layouts). A problem that loses the object (a broken file, a NaN coordinate, no faces) is a
 * DataFormatError naming the file; one that does not (a view that cannot be decoded while others
 * can, a view of another size) is a warning, and the object is kept.
 */
import type { Rng } from '../util/random';
import { DataFormatError } from './errors';
import type { FileLike, FolderLayout, FolderObject } from './folder-index';
import { loadAny } from './loaders/index';
import { decodePngRgb, type RgbImage } from './loaders/png';
import { toPointCloud } from './loaders/resample';
import { isSet, type LoadedShape } from './loaders/types';
import { type Mesh, normaliseMesh } from './mesh';

export interface LoadedFolderObject {
  /** [N·3] */
  points: Float32Array;
  /** Decoded views, `views` of them (an object with fewer repeats its own); crosspoint layout. */
  views: RgbImage[];
  /** Centred on the unit sphere, y up: the views are rendered from it (mesh layouts). */
  mesh?: Mesh;
  /** Per file: what was odd but did not lose the object. */
  warnings: { file: string; problem: string }[];
}

async function bytesOf(f: FileLike): Promise<Uint8Array> {
  return typeof f.bytes === 'function' ? f.bytes() : f.bytes;
}

async function readShape(f: FileLike): Promise<LoadedShape> {
  const loaded = await loadAny(f.path, await bytesOf(f));
  if (isSet(loaded))
    throw new DataFormatError(f.path, { byte: 0 }, 'an HDF5 set where one object was expected; left out');
  return loaded;
}

/** Views 0…views−1 of the object (repeating its own when it has fewer), decoded; bad ones skipped. */
async function readViews(obj: FolderObject, views: number, warnings: LoadedFolderObject['warnings']) {
  const decoded: RgbImage[] = [];
  const failures: string[] = [];
  // Read a few more than needed so a broken view is replaced by the next one.
  for (const v of obj.views) {
    if (decoded.length >= views) break;
    try {
      const bytes = await bytesOf(v);
      decoded.push(decodePngRgb(v.path, bytes));
      const mode = pngMode(bytes);
      if (mode)
        warnings.push({
          file: v.path,
          problem: `a ${mode} PNG where views are 8-bit RGB(A); converted to RGB`,
        });
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw e;
      failures.push(e.message);
      warnings.push({ file: v.path, problem: `${e.detail}; view skipped` });
    }
  }
  if (decoded.length === 0) {
    throw new DataFormatError(
      obj.views[0]?.path ?? obj.id,
      { part: 'views' },
      `none of the object's ${obj.views.length} views could be decoded (${failures[0] ?? 'no views'})`,
    );
  }
  const first = decoded[0]!;
  decoded.forEach((img, i) => {
    if (img.width !== first.width || img.height !== first.height)
      warnings.push({
        file: obj.views[i]?.path ?? obj.id,
        problem: `a ${img.width}×${img.height} view where the object's first is ${first.width}×${first.height}; resized like the others`,
      });
  });
  return Array.from({ length: views }, (_, v) => decoded[v % decoded.length]!);
}

const COLOUR_TYPES: Record<number, string> = {
  0: 'grey',
  2: 'RGB',
  3: 'palette',
  4: 'grey+alpha',
  6: 'RGBA',
};

/** The PNG's mode in words when it is not 8-bit RGB or RGBA (read from its IHDR), else undefined. */
function pngMode(bytes: Uint8Array): string | undefined {
  const depth = bytes[24];
  const type = bytes[25];
  if (depth === undefined || type === undefined) return undefined;
  if (depth === 8 && (type === 2 || type === 6)) return undefined;
  return `${depth}-bit ${COLOUR_TYPES[type] ?? `colour type ${type}`}`;
}

/** Turns a z-up frame (raw ModelNet CAD files) y-up: (x, y, z) → (x, z, −y). */
function zUpToYUp(p: Float32Array): Float32Array {
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    out[i] = p[i]!;
    out[i + 1] = p[i + 2]!;
    out[i + 2] = -p[i + 1]!;
  }
  return out;
}

export async function loadFolderObject(
  obj: FolderObject,
  layout: FolderLayout,
  o: { points: number; views: number; rng: Rng },
): Promise<LoadedFolderObject> {
  const warnings: LoadedFolderObject['warnings'] = [];
  // The loaders refuse NaN and infinite coordinates (naming the point): such an object is left out.
  const shape = await readShape(obj.shape);
  for (const w of shape.warnings) warnings.push({ file: obj.shape.path, problem: w });
  if (layout === 'crosspoint') {
    if (shape.points.length === 0)
      throw new DataFormatError(obj.shape.path, { part: 'points' }, 'the cloud has no points');
    const views = await readViews(obj, o.views, warnings);
    return { points: toPointCloud(shape, o.points, o.rng).points, views, warnings };
  }
  if (!shape.faces || shape.faces.length < 3) {
    throw new DataFormatError(
      obj.shape.path,
      { part: 'faces' },
      'the mesh has no faces, so no surface to sample and no views to render',
    );
  }
  const positions = layout === 'modelnet' ? zUpToYUp(shape.points) : shape.points;
  const mesh = normaliseMesh(positions, shape.faces);
  const sampled = toPointCloud({ ...shape, points: mesh.positions, faces: mesh.indices }, o.points, o.rng);
  if (sampled.note.startsWith('the faces have no area'))
    throw new DataFormatError(
      obj.shape.path,
      { part: 'faces' },
      'the mesh has no area: no surface to sample or render',
    );
  return { points: sampled.points, views: [], mesh, warnings };
}
