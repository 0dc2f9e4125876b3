/**
 * The Classify panel's out-of-distribution reference taken from the evaluation set the user
 * loaded (the CLI's `classify --reference FILE.h5 --reference-classes a,b`): the clouds of one
 * split (or both) and of the chosen classes, each prepared as a file the panel judges.
 */
import type { EvaluationSet } from './evaluation-set';
import type { UpAxis } from './geometry';
import { setCloudAsUser } from './loaders/read-shape';
import { InputError } from '../util/errors';

/** Which shapes of the evaluation set count as in distribution. */
export interface OodReferenceChoice {
  split: 'train' | 'test' | 'all';
  /** Class names of the set; empty: every class. */
  classes: string[];
}

export interface OodReferenceClouds {
  /** For the verdict, e.g. "modelnet40-eval, train split, classes sofa, table: 14 shapes of 2 classes". */
  name: string;
  /** [n, N, 3] prepared clouds. */
  points: Float32Array;
  n: number;
  /** [n] the set's label of each cloud. */
  labels: Int32Array;
  /** The set's class names by label. */
  classes: readonly string[];
}

/** The chosen clouds of `set`, N points each. Unknown classes or too few shapes: an InputError. */
export function oodReferenceClouds(
  set: Pick<EvaluationSet, 'name' | 'classes' | 'pointsPerCloud' | 'train' | 'test'>,
  choice: OodReferenceChoice,
  N: number,
  upAxis: UpAxis,
): OodReferenceClouds {
  const unknown = choice.classes.filter((c) => !set.classes.includes(c));
  if (unknown.length)
    throw new InputError(
      `${set.name} has no class ${unknown.map((c) => `"${c}"`).join(', ')} (it has ${set.classes.join(', ')})`,
    );
  const keep = new Set(choice.classes.map((c) => set.classes.indexOf(c)));
  const splits = choice.split === 'all' ? [set.train, set.test] : [set[choice.split]];
  const rows: { split: (typeof splits)[number]; i: number }[] = [];
  for (const split of splits)
    for (let i = 0; i < split.n; i++) if (!keep.size || keep.has(split.labels[i]!)) rows.push({ split, i });
  const where = `${set.name}, ${choice.split === 'all' ? 'train and test splits' : `${choice.split} split`}${
    choice.classes.length ? `, classes ${choice.classes.join(', ')}` : ''
  }`;
  if (rows.length < 2)
    throw new InputError(
      `${where}: ${rows.length} shapes; the reference needs at least 2 (choose more classes or both splits)`,
    );
  const N0 = set.pointsPerCloud;
  const points = new Float32Array(rows.length * N * 3); // [n, N, 3]
  const labels = new Int32Array(rows.length); // [n]
  for (const [r, { split, i }] of rows.entries()) {
    const one = split.points.subarray(i * N0 * 3, (i + 1) * N0 * 3);
    points.set(setCloudAsUser(set.name, one, N, upAxis).points, r * N * 3);
    labels[r] = split.labels[i]!;
  }
  const C = new Set(labels).size;
  return {
    name: `${where}: ${rows.length} shapes of ${C} class${C === 1 ? '' : 'es'}`,
    points,
    n: rows.length,
    labels,
    classes: set.classes,
  };
}
