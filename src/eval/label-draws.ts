/**
 * Labelled subsets of a train split for a label-efficiency curve: `perClass` examples of each
 * class drawn without replacement (all of a class that has fewer), several seeded draws. The
 * draw depends only on the labels, so every encoder is scored on the same subsets (paired).
 */
import { Rng } from '../util/random';

export interface LabelDraw {
  /** Rows of the train split, class by class. */
  rows: Int32Array;
  /** Classes that had fewer than perClass examples (all of theirs were taken). */
  short: number;
}

/** `draws` subsets with at most `perClass` rows of each label; perClass = Infinity takes all (one draw). */
export function drawLabelled(labels: Int32Array, perClass: number, draws: number, seed: number): LabelDraw[] {
  if (!(perClass >= 1)) throw new Error(`drawLabelled: perClass must be ≥ 1 (got ${perClass})`);
  if (!Number.isInteger(draws) || draws < 1)
    throw new Error(`drawLabelled: draws must be ≥ 1 (got ${draws})`);
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const list = byLabel.get(l);
    if (list) list.push(i);
    else byLabel.set(l, [i]);
  });
  const classes = [...byLabel.keys()].sort((a, b) => a - b);
  const short = classes.filter((c) => byLabel.get(c)!.length < perClass).length;
  // Every class fits whole (or "all labels"): every draw would be the whole split.
  if (classes.every((c) => byLabel.get(c)!.length <= perClass))
    return [{ rows: Int32Array.from(labels, (_, i) => i), short }];
  const rng = new Rng(seed);
  const out: LabelDraw[] = [];
  for (let d = 0; d < draws; d++) {
    const rows: number[] = [];
    for (const c of classes) rows.push(...rng.shuffle([...byLabel.get(c)!]).slice(0, perClass));
    out.push({ rows: Int32Array.from(rows), short });
  }
  return out;
}
