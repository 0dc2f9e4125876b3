/**
 * A labelled point-cloud split for the evaluation commands: an HDF5 file with `data` [n, N, ≥3]
 * and `label` [n] or [n, 1] (ModelNet40 / ScanObjectNN layout, or `crosspoint sample`'s
 * train.h5 / test.h5). Class names come from shape_names.txt (ModelNet40) or classes.txt
 * (`crosspoint sample`) beside the file, when one is there. Every problem is an InputError
 * naming the flag and the file (exit 2, one line).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataFormatError } from '../data/errors';
import { isSet, loadAny } from '../data/loaders/index';
import { readBytes } from './cloud-input';
import { InputError } from './errors';

export interface LabelledSet {
  path: string;
  /** Clouds n and points per cloud N0. */
  n: number;
  N0: number;
  /** [n, N0, 3] point-major xyz */
  xyz: Float32Array;
  /** [n] */
  labels: Int32Array;
  /** Class name by label, when a names file sits beside the data. */
  classNames?: string[];
}

const NAME_FILES = ['shape_names.txt', 'classes.txt'];

/** Names one a line from the first names file beside `path` that covers every label. */
export function classNamesBeside(path: string, maxLabel: number): string[] | undefined {
  for (const f of NAME_FILES) {
    const p = join(dirname(path), f);
    if (!existsSync(p)) continue;
    try {
      const names = readFileSync(p, 'utf8')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (names.length > maxLabel) return names;
    } catch {
      // unreadable names file: labels stay numbers
    }
  }
  return undefined;
}

export async function readLabelledSet(path: string, flag: string): Promise<LabelledSet> {
  const bytes = readBytes(path, flag);
  let loaded: Awaited<ReturnType<typeof loadAny>>;
  try {
    loaded = await loadAny(path, bytes);
  } catch (e) {
    if (e instanceof DataFormatError) throw new InputError(`--${flag}: ${e.message}`);
    throw e;
  }
  if (!isSet(loaded)) {
    throw new InputError(
      `--${flag} "${path}": needs a labelled set of clouds (HDF5 with \`data\` and \`label\`), got a single ${loaded.format} shape`,
    );
  }
  if (!loaded.labels) {
    throw new InputError(
      `--${flag} "${path}": the file has no \`label\` dataset (found ${loaded.properties.join(', ')})`,
    );
  }
  if (loaded.count < 1) throw new InputError(`--${flag} "${path}": the file holds no clouds`);
  const labels = loaded.labels;
  const neg = labels.findIndex((l) => l < 0);
  if (neg >= 0)
    throw new InputError(`--${flag} "${path}": cloud ${neg} has a negative label (${labels[neg]})`);
  const xyz = loaded.points;
  const bad = xyz.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const p = Math.floor(bad / 3);
    const N = loaded.pointsPerCloud;
    throw new InputError(
      `--${flag} "${path}": cloud ${Math.floor(p / N)} point ${p % N} has a non-finite coordinate (${xyz[bad]})`,
    );
  }
  const maxLabel = labels.reduce((m, l) => Math.max(m, l), 0);
  return {
    path,
    n: loaded.count,
    N0: loaded.pointsPerCloud,
    xyz,
    labels,
    classNames: classNamesBeside(path, maxLabel),
  };
}

/** "3 (bed)" or "3". */
export function className(label: number, names?: readonly string[]): string {
  const name = names?.[label];
  return name ? `${label} (${name})` : String(label);
}
