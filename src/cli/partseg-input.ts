/**
 * Part-segmentation data for `partseg` and `partseg-eval`: `--train`/`--test` name a ShapeNetPart
 * HDF5 file (ply_data_*.h5: data, label, pid), a folder of such files (train: *train* and *val*
 * files, as the reference's 'trainval'; test: *test* files), a folder in the ShapeNetPart text
 * layout (synset folders of `x y z nx ny nz part` files and train_test_split/shuffled_*_file_list.json;
 * train: the train and val lists, test: the test list), or `sample` (the generated set's
 * airplanes, cars, chairs, lamps and tables with their part labels). Problems are InputErrors
 * naming the flag and the file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataFormatError } from '../data/errors';
import { isSet, loadAny, loadHdf5, loadShapeNetPartText } from '../data/loaders/index';
import type { LoadedShape } from '../data/loaders/types';
import {
  type PartsegSet,
  partsegFromHdf5,
  partsegFromSample,
  partsegFromTextShapes,
} from '../data/partseg-set';
import { generateSampleSet } from '../data/sample-set';
import { InputError } from '../util/errors';
import { readBytes } from './cloud-input';

export type PartsegRole = 'train' | 'test';

export interface PartsegInputOptions {
  /** Points per cloud (HDF5: the first N; text files: N drawn, seeded). */
  points: number;
  /** Seed of text-file resampling and of the generated set. */
  seed: number;
  /** Objects per category of the generated set. */
  perClass: number;
}

function prefixed<T>(flag: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError || e instanceof DataFormatError)
      throw new InputError(`--${flag}: ${e.message}`);
    throw e;
  }
}

async function prefixedAsync<T>(flag: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InputError || e instanceof DataFormatError)
      throw new InputError(`--${flag}: ${e.message}`);
    throw e;
  }
}

/** Concatenates sets of equal point counts. */
function concat(source: string, sets: PartsegSet[]): PartsegSet {
  if (sets.length === 1) return sets[0]!;
  const N = sets[0]!.N;
  const odd = sets.find((s) => s.N !== N);
  if (odd) throw new InputError(`${odd.source} has ${odd.N} points per cloud, ${sets[0]!.source} ${N}`);
  const S = sets.reduce((t, s) => t + s.S, 0);
  const points = new Float32Array(S * N * 3);
  const parts = new Int32Array(S * N);
  const categories = new Int32Array(S);
  let at = 0;
  for (const s of sets) {
    points.set(s.points, at * N * 3);
    parts.set(s.parts, at * N);
    categories.set(s.categories, at);
    at += s.S;
  }
  return { source, S, N, points, parts, categories, notes: sets.flatMap((s) => s.notes) };
}

async function fromHdf5File(path: string, points: number): Promise<PartsegSet> {
  const loaded = await loadHdf5(path, readBytes(path, 'file'));
  return partsegFromHdf5(loaded, points);
}

/** The ShapeNetPart text layout: split lists name `shape_data/<synset>/<id>` → DIR/<synset>/<id>.txt. */
function fromTextFolder(dir: string, role: PartsegRole, o: PartsegInputOptions): PartsegSet {
  const splitDir = join(dir, 'train_test_split');
  const lists = role === 'train' ? ['train', 'val'] : ['test'];
  const files: string[] = [];
  for (const l of lists) {
    const p = join(splitDir, `shuffled_${l}_file_list.json`);
    if (!existsSync(p)) {
      throw new InputError(
        `${dir}: no ${p} (the ShapeNetPart split lists say which files are ${role} files)`,
      );
    }
    let entries: unknown;
    try {
      entries = JSON.parse(readFileSync(p, 'utf8'));
    } catch (e) {
      throw new InputError(`${p}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(entries) || entries.some((x) => typeof x !== 'string')) {
      throw new InputError(`${p}: expected a JSON array of "shape_data/<synset>/<id>" strings`);
    }
    for (const entry of entries as string[]) {
      const parts = entry.split('/');
      files.push(join(dir, parts[parts.length - 2] ?? '', `${parts[parts.length - 1]}.txt`));
    }
  }
  if (files.length === 0) {
    throw new InputError(
      `${dir}: the ${lists.map((l) => `shuffled_${l}_file_list.json`).join(' and ')} list no shapes ` +
        `(nothing to ${role === 'train' ? 'train on' : 'test on'})`,
    );
  }
  const shapes: LoadedShape[] = files.map((f) => {
    if (!existsSync(f)) throw new InputError(`${f}: listed in the split but not there`);
    return loadShapeNetPartText(f, readBytes(f, 'file'));
  });
  return partsegFromTextShapes(dir, shapes, o.points, o.seed);
}

/** Reads `value` (a file, a folder or "sample") as the `role` split. */
export async function readPartsegInput(
  value: string,
  role: PartsegRole,
  flag: string,
  o: PartsegInputOptions,
): Promise<PartsegSet> {
  if (value === 'sample') {
    return prefixed(flag, () => {
      const set = generateSampleSet({
        perClass: o.perClass,
        points: o.points,
        views: 1,
        imageSize: 8,
        seed: o.seed,
      });
      return partsegFromSample(set, role);
    });
  }
  if (!existsSync(value))
    throw new InputError(`--${flag}: "${value}" does not exist (a .h5 file, a folder or "sample")`);
  if (statSync(value).isDirectory()) {
    const h5 = readdirSync(value)
      .filter((f) => /\.(h5|hdf5)$/i.test(f))
      .filter((f) => (role === 'train' ? /train|val/i.test(f) : /test/i.test(f)))
      .sort();
    if (h5.length > 0) {
      return prefixedAsync(flag, async () =>
        concat(value, await Promise.all(h5.map((f) => fromHdf5File(join(value, f), o.points)))),
      );
    }
    if (existsSync(join(value, 'train_test_split')) || existsSync(join(value, 'synsetoffset2category.txt'))) {
      return prefixed(flag, () => fromTextFolder(value, role, o));
    }
    throw new InputError(
      `--${flag}: "${value}" holds neither ShapeNetPart HDF5 files (${role === 'train' ? '*train*.h5 / *val*.h5' : '*test*.h5'}) ` +
        'nor the text layout (train_test_split/ and synset folders)',
    );
  }
  return prefixedAsync(flag, async () => {
    const loaded = await loadAny(value, readBytes(value, flag));
    if (isSet(loaded)) return partsegFromHdf5(loaded, o.points);
    return partsegFromTextShapes(basename(value), [loaded], o.points, o.seed);
  });
}
