/**
 * A labelled evaluation set for the SVM, few-shot and compare panels, from the HDF5 files a user
 * brings: ModelNet40 `ply_data_{train,test}*.h5` (data, label), ScanObjectNN (data, label, mask)
 * or ShapeNetPart (data, label, pid). Files whose name says train or test form those splits (several
 * are concatenated, as ModelNet40's five train files); without a test file the set is split 80/20
 * per class, seeded. A file that cannot be used (no `label`, no `data`, NaN, another cloud size it
 * cannot share) is left out with its reason; the set is refused only when no file is usable.
 */
import { Rng } from '../util/random';
import { DataFormatError } from './errors';
import type { EvalKind, FileLike, FileProblem } from './folder-index';
import { MODELNET40_CLASSES, SHAPENETPART_CATEGORIES } from './loaders/class-names';
import { loadHdf5 } from './loaders/hdf5';

/** ScanObjectNN's 15 classes in label order (its README). */
export const SCANOBJECTNN_CLASSES = [
  'bag',
  'bin',
  'box',
  'cabinet',
  'chair',
  'desk',
  'display',
  'door',
  'shelf',
  'table',
  'bed',
  'pillow',
  'sink',
  'sofa',
  'toilet',
] as const;

export interface EvalSplit {
  n: number;
  /** [n, N, 3] xyz */
  points: Float32Array;
  /** [n] */
  labels: Int32Array;
}

export interface EvaluationSet {
  name: string;
  kind: EvalKind;
  /** Points per cloud N (the smallest among the files; clouds keep their first N points). */
  pointsPerCloud: number;
  /** Class name by label (numbers when the layout has no names, or a label is beyond them). */
  classes: string[];
  train: EvalSplit;
  test: EvalSplit;
  /** Files used, and files left out with the reason. */
  files: string[];
  problems: FileProblem[];
  notes: string[];
}

interface Part {
  file: string;
  split?: 'train' | 'test';
  n: number;
  N: number;
  points: Float32Array;
  labels: Int32Array;
}

function namesFor(kind: EvalKind, maxLabel: number): string[] {
  const table: readonly string[] =
    kind === 'modelnet40'
      ? MODELNET40_CLASSES
      : kind === 'scanobjectnn'
        ? SCANOBJECTNN_CLASSES
        : kind === 'shapenetpart'
          ? SHAPENETPART_CATEGORIES.map((c) => c.name)
          : [];
  return Array.from({ length: maxLabel + 1 }, (_, l) => (maxLabel < table.length ? table[l]! : String(l)));
}

/** Rows of `parts` with clouds cut to N points. */
function concat(parts: Part[], N: number): EvalSplit {
  const n = parts.reduce((a, p) => a + p.n, 0);
  const points = new Float32Array(n * N * 3);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    for (let i = 0; i < p.n; i++) {
      points.set(p.points.subarray(i * p.N * 3, i * p.N * 3 + N * 3), (at + i) * N * 3);
      labels[at + i] = p.labels[i]!;
    }
    at += p.n;
  }
  return { n, points, labels };
}

function rows(s: EvalSplit, N: number, idx: readonly number[]): EvalSplit {
  const points = new Float32Array(idx.length * N * 3);
  for (const [k, r] of idx.entries()) points.set(s.points.subarray(r * N * 3, (r + 1) * N * 3), k * N * 3);
  return { n: idx.length, points, labels: Int32Array.from(idx, (r) => s.labels[r]!) };
}

/** The first name list beside the .h5 files (same folder) that names every label, one name a line. */
async function namesBeside(h5: readonly string[], lists: readonly FileLike[], maxLabel: number) {
  const dir = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);
  for (const f of lists) {
    if (!h5.some((p) => dir(p) === dir(f.path))) continue;
    const bytes = typeof f.bytes === 'function' ? await f.bytes() : f.bytes;
    const names = new TextDecoder()
      .decode(bytes)
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (names.length > maxLabel) return names.slice(0, maxLabel + 1);
  }
  return undefined;
}

export async function readEvaluationSet(
  name: string,
  files: readonly { file: FileLike; kind: EvalKind; split?: 'train' | 'test' }[],
  seed = 0,
  /** classes.txt / shape_names.txt files: one beside the .h5 files names the classes. */
  nameLists: readonly FileLike[] = [],
): Promise<EvaluationSet> {
  const problems: FileProblem[] = [];
  const notes: string[] = [];
  const parts: Part[] = [];
  const kinds = new Set<EvalKind>();
  for (const f of files) {
    const path = f.file.path;
    try {
      const bytes = typeof f.file.bytes === 'function' ? await f.file.bytes() : f.file.bytes;
      const set = await loadHdf5(path, bytes);
      if (!('count' in set)) throw new DataFormatError(path, { byte: 0 }, 'one shape, not a set of clouds');
      if (!set.labels) {
        throw new DataFormatError(
          path,
          { part: 'label' },
          `no \`label\` dataset, so no classes to evaluate (found ${set.properties.join(', ') || 'no datasets'})`,
        );
      }
      if (set.count < 1) throw new DataFormatError(path, { part: 'data' }, 'the file holds no clouds');
      const neg = set.labels.findIndex((l) => l < 0);
      if (neg >= 0) throw new DataFormatError(path, { part: 'label' }, `cloud ${neg} has a negative label`);
      for (const w of set.warnings) problems.push({ file: path, problem: `${w} (read anyway)` });
      parts.push({
        file: path,
        ...(f.split ? { split: f.split } : {}),
        n: set.count,
        N: set.pointsPerCloud,
        points: set.points,
        labels: set.labels,
      });
      kinds.add(f.kind);
    } catch (e) {
      if (!(e instanceof DataFormatError)) throw e;
      problems.push({ file: path, problem: `${e.detail}; left out` });
    }
  }
  if (parts.length === 0) {
    throw new DataFormatError(
      name,
      { part: 'evaluation set' },
      files.length === 0
        ? 'no .h5 file to evaluate on'
        : `none of the ${files.length} .h5 files is a labelled set of clouds (first: ${problems[0]?.file}: ${problems[0]?.problem})`,
    );
  }
  const N = Math.min(...parts.map((p) => p.N));
  if (parts.some((p) => p.N !== N))
    notes.push(`clouds of different sizes: every cloud keeps its first ${N} points`);
  const kind: EvalKind = kinds.size === 1 ? [...kinds][0]! : 'hdf5';
  const trainParts = parts.filter((p) => p.split !== 'test');
  const testParts = parts.filter((p) => p.split === 'test');
  let train: EvalSplit;
  let test: EvalSplit;
  if (testParts.length > 0 && trainParts.length > 0) {
    train = concat(trainParts, N);
    test = concat(testParts, N);
  } else {
    // One split only: 80/20 per class, seeded, so the SVM has something to be tested on.
    const all = concat(parts, N);
    const rng = new Rng(seed);
    const byClass = new Map<number, number[]>();
    for (const [i, l] of all.labels.entries()) byClass.set(l, [...(byClass.get(l) ?? []), i]);
    const tr: number[] = [];
    const te: number[] = [];
    for (const [, members] of [...byClass].sort(([a], [b]) => a - b)) {
      const order = rng.shuffle([...members]);
      const nTest = members.length >= 2 ? Math.max(1, Math.round(members.length * 0.2)) : 0;
      te.push(...order.slice(0, nTest));
      tr.push(...order.slice(nTest));
    }
    train = rows(
      all,
      N,
      tr.sort((a, b) => a - b),
    );
    test = rows(
      all,
      N,
      te.sort((a, b) => a - b),
    );
    notes.push(`no ${testParts.length ? 'train' : 'test'} file: split 80/20 per class (seed ${seed})`);
  }
  const maxLabel = Math.max(...train.labels, ...test.labels);
  const listed = await namesBeside(
    parts.map((p) => p.file),
    nameLists,
    maxLabel,
  );
  return {
    name,
    kind,
    pointsPerCloud: N,
    classes: listed ?? namesFor(kind, maxLabel),
    train,
    test,
    files: parts.map((p) => p.file),
    problems,
    notes,
  };
}
