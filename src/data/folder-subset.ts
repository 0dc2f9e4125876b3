/**
 * The part of an indexed folder to load: which classes, how many objects of each, how many views
 * of each object. Deterministic by seed; the split is the folder's own (ModelNet's train/test
 * folders) or a seeded share per class.
 */
import { Rng } from '../util/random';
import type { FolderClass, FolderIndex, FolderObject } from './folder-index';

export interface FolderSubset {
  /** Class keys to keep; empty: every class. */
  classes: readonly string[];
  /** Objects per class at most; 0: all. */
  perClass: number;
  /** Views per object (an object with fewer repeats its own; rendered layouts render this many). */
  views: number;
}

export interface PickedObject extends FolderObject {
  /** Position of its class in `classes`. */
  label: number;
  split: 'train' | 'test';
}

export interface PickedSubset {
  classes: FolderClass[];
  objects: PickedObject[];
}

export function pickSubset(
  index: FolderIndex,
  subset: FolderSubset,
  seed: number,
  testFraction = 0.2,
): PickedSubset {
  const wanted = new Set(subset.classes);
  const unknown = subset.classes.filter((k) => !index.classes.some((c) => c.key === k));
  if (unknown.length) throw new RangeError(`no class ${unknown.join(', ')} in ${index.name}`);
  const rng = new Rng(seed);
  const classes: FolderClass[] = [];
  const objects: PickedObject[] = [];
  for (const c of index.classes) {
    if (wanted.size > 0 && !wanted.has(c.key)) continue;
    let members = index.objects.filter((o) => o.classKey === c.key);
    if (subset.perClass > 0 && members.length > subset.perClass) {
      members = rng.shuffle([...members]).slice(0, subset.perClass);
      members.sort((a, b) => (a.id < b.id ? -1 : 1));
    }
    const label = classes.length;
    classes.push({ ...c, objects: members.length });
    const order = rng.shuffle(members.map((_, i) => i));
    const nTest = members.length >= 2 ? Math.max(1, Math.round(members.length * testFraction)) : 0;
    const test = new Set(order.slice(0, nTest));
    members.forEach((o, i) => {
      objects.push({ ...o, label, split: o.split ?? (test.has(i) ? 'test' : 'train') });
    });
  }
  return { classes, objects };
}
