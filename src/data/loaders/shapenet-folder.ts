import { DataFormatError } from '../errors';
import { R2N2_CATEGORIES } from './class-names';
import { loadPly } from './ply';
import { decodePngRgb, type RgbImage } from './png';
import type { LoadedShape } from './types';

/**
 * ShapeNet in CrossPoint's layout: a point cloud per object at `ShapeNet/<synset>/<object>.ply` and
 * its 3D-R2N2 views at `ShapeNetRendering/<synset>/<object>/rendering/*.png`. Works on a list of
 * File-like entries (from a browser folder drop or from shapenet-folder.node.ts), so nothing here
 * touches a file system; bytes may be given or fetched on demand.
 */
export interface FileLike {
  /** Base name, e.g. "00.png". */
  name: string;
  /** Path relative to the folder the user chose, '/'-separated. */
  path: string;
  bytes: Uint8Array | (() => Promise<Uint8Array>);
}

export interface ShapeNetObject {
  synset: string;
  objectId: string;
  /** R2N2 category name of the synset, when it is one of the 13. */
  category?: string;
  cloud: FileLike;
  /** Rendered views, sorted by name. */
  views: FileLike[];
}

export interface ShapeNetIndex {
  objects: ShapeNetObject[];
  /** Synsets found, sorted; an object's class index is its synset's position here. */
  synsets: string[];
  warnings: string[];
}

/** Pairs clouds with their views. Throws DataFormatError when no object has both. */
export function indexShapeNetFiles(files: readonly FileLike[], folder = 'the folder'): ShapeNetIndex {
  const clouds = new Map<string, FileLike>();
  const views = new Map<string, FileLike[]>();
  for (const f of files) {
    const parts = f.path.split(/[\\/]+/).filter((s) => s !== '');
    const i = parts.lastIndexOf('ShapeNet');
    if (i >= 0 && parts.length === i + 3 && /\.ply$/i.test(parts[i + 2]!)) {
      clouds.set(`${parts[i + 1]}/${parts[i + 2]!.replace(/\.ply$/i, '')}`, f);
      continue;
    }
    const j = parts.lastIndexOf('ShapeNetRendering');
    if (j >= 0 && parts.length === j + 5 && parts[j + 3] === 'rendering' && /\.png$/i.test(parts[j + 4]!)) {
      const key = `${parts[j + 1]}/${parts[j + 2]}`;
      const list = views.get(key) ?? [];
      list.push(f);
      views.set(key, list);
    }
  }
  const warnings: string[] = [];
  const objects: ShapeNetObject[] = [];
  let noViews = 0;
  for (const [key, cloud] of [...clouds].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const v = views.get(key);
    if (!v?.length) {
      noViews++;
      continue;
    }
    const [synset, objectId] = key.split('/') as [string, string];
    const obj: ShapeNetObject = {
      synset,
      objectId,
      cloud,
      views: v.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
    const category = R2N2_CATEGORIES[synset];
    if (category) obj.category = category;
    objects.push(obj);
  }
  if (noViews) warnings.push(`${noViews} clouds have no rendered views and were left out`);
  const orphan = [...views.keys()].filter((k) => !clouds.has(k)).length;
  if (orphan) warnings.push(`${orphan} rendering folders have no cloud and were left out`);
  if (objects.length === 0) {
    throw new DataFormatError(
      folder,
      { part: 'folder layout' },
      `no object has both ShapeNet/<synset>/<object>.ply and ShapeNetRendering/<synset>/<object>/rendering/*.png ` +
        `(${clouds.size} clouds, ${views.size} rendering folders found)`,
    );
  }
  const synsets = [...new Set(objects.map((o) => o.synset))].sort();
  return { objects, synsets, warnings };
}

async function bytesOf(f: FileLike): Promise<Uint8Array> {
  return typeof f.bytes === 'function' ? f.bytes() : f.bytes;
}

/** The object's cloud (a PLY) and the chosen views decoded to RGB (all when `views` is omitted). */
export async function loadShapeNetObject(
  obj: ShapeNetObject,
  views?: readonly number[],
): Promise<{ cloud: LoadedShape; views: RgbImage[] }> {
  const cloud = loadPly(obj.cloud.path, await bytesOf(obj.cloud));
  const pick = views ?? obj.views.map((_, i) => i);
  const images: RgbImage[] = [];
  for (const i of pick) {
    const v = obj.views[i];
    if (!v)
      throw new RangeError(
        `view ${i} of ${obj.synset}/${obj.objectId} does not exist (${obj.views.length} views)`,
      );
    images.push(decodePngRgb(v.path, await bytesOf(v)));
  }
  return { cloud, views: images };
}
