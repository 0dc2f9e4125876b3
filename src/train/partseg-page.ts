// The Parts panel's fine-tuning, as plain data and pure functions: its sizes (a first-look size
// for CPU adapters, the reference's), the checks on a size the user edited, the weights that can
// be carried over from the page's classification DGCNN, and a dropped shape's part labels.
import { categoryParts, PART_NAMES, SHAPENETPART_CATEGORY_COUNT } from '../data/shapenetpart-parts';
import { SHAPENETPART_CATEGORIES } from '../data/loaders/class-names';
import { type PartSegConfig, partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import type { HostTensors } from '../nn/param-store';
import type { PartsegSet } from '../data/partseg-set';
import { InputError } from '../util/errors';
import { partsegScores } from './part-iou';
import { PARTSEG_SIZE_NAMES, type PartsegSizeName, partsegSize } from './partseg-sizes';

export interface PartsPageConfig {
  /** Model widths (partseg-sizes.ts). */
  model: PartsegSizeName;
  points: number;
  k: number;
  batch: number;
  /** Generated objects per class (the five ShapeNetPart categories of the sample set train). */
  perClass: number;
  /** Epochs of the cosine schedule. */
  epochs: number;
  seed: number;
  /** BatchNorm running-statistics momentum (the reference: PyTorch's 0.1). */
  bnMomentum: number;
}

export const PARTS_PAGE_SIZES = {
  /**
   * Small widths, 128 points, k 10, batch 8, BN momentum 0.5: test instance mIoU rises within
   * minutes on SwiftShader (docs/PERFORMANCE.md). At the reference's momentum 0.1 the running
   * statistics the test split is normalised with keep 0.9^s of their initial 0 / 1 after s steps,
   * so a run of a few dozen steps is scored with statistics of no real batch; at 0.5 they follow
   * the last few batches.
   */
  'first-look': {
    model: 'small',
    points: 128,
    k: 10,
    batch: 8,
    perClass: 10,
    epochs: 40,
    seed: 1,
    bnMomentum: 0.5,
  },
  /** train_partseg.py's model, points, k and BN momentum (batch 32, 200 epochs there; here 16 per class). */
  reference: {
    model: 'reference',
    points: 2048,
    k: 40,
    batch: 32,
    perClass: 16,
    epochs: 200,
    seed: 1,
    bnMomentum: 0.1,
  },
} as const satisfies Record<string, PartsPageConfig>;
export type PartsPageSizeName = keyof typeof PARTS_PAGE_SIZES;
export const PARTS_PAGE_SIZE_NAMES = Object.keys(PARTS_PAGE_SIZES) as PartsPageSizeName[];

/** The model config of a page config. */
export function partsModelConfig(c: PartsPageConfig): PartSegConfig {
  return partsegSize(c.model, c.k);
}

/** The size whose widths a checkpoint's model has (any k), or null when it is none of them. */
export function partsPageSizeOf(model: PartSegConfig): PartsegSizeName | null {
  const widths = (c: PartSegConfig) => JSON.stringify({ ...c, k: 0 }, Object.keys(c).sort());
  return PARTSEG_SIZE_NAMES.find((n) => widths(partsegSize(n, model.k)) === widths(model)) ?? null;
}

/** What is wrong with a config the user edited (null when it can run); one sentence each. */
export function partsConfigProblem(c: PartsPageConfig): string | null {
  const whole = (v: number, lo: number) => Number.isInteger(v) && v >= lo;
  if (!whole(c.points, 2)) return `Points must be a whole number of at least 2 (got ${c.points}).`;
  if (!whole(c.k, 1)) return `k must be a whole number of at least 1 (got ${c.k}).`;
  if (c.k > c.points)
    return `k (${c.k}) is larger than the points per cloud (${c.points}): each point's k neighbours come from its own cloud; lower k or raise the points.`;
  if (!whole(c.batch, 2)) return `Batch must be at least 2 (BatchNorm needs 2 clouds; got ${c.batch}).`;
  if (!whole(c.perClass, 2))
    return `Objects per class must be at least 2 (one goes to test; got ${c.perClass}).`;
  if (!whole(c.epochs, 1)) return `Epochs must be at least 1 (got ${c.epochs}).`;
  if (!(c.bnMomentum > 0 && c.bnMomentum <= 1))
    return `BN momentum must be in (0, 1] (PyTorch's default is 0.1; got ${c.bnMomentum}).`;
  return null;
}

/**
 * The initial segmentation weights from the page's pretrained classification DGCNN: the two
 * encoders share only their first EdgeConv (conv1 on [x_j − x_i ; x_i], 6 → width, and bn1);
 * the classification model's conv2…conv5 have other inputs and widths than DGCNN_partseg's,
 * and it has no transform net, so those stay at `init` (random). Copies conv1.* and bn1.* when
 * their shapes match; returns the names carried over (empty when the widths differ).
 */
export function transferFromClassifier(
  c: PartSegConfig,
  init: HostTensors,
  encoder: HostTensors,
): { values: HostTensors; transferred: string[] } {
  const values: HostTensors = new Map(init);
  const transferred: string[] = [];
  // The layer as a whole or not at all (bn1's step counter has the same shape at any width).
  if (encoder.get('conv1.0.weight')?.length !== init.get('conv1.0.weight')?.length)
    return { values, transferred };
  for (const s of partSegParamSpecs(c)) {
    if (!/^(conv1\.|bn1\.)/.test(s.name)) continue;
    const src = encoder.get(s.name);
    const dst = init.get(s.name);
    if (!src || !dst || src.length !== dst.length || src.constructor !== dst.constructor) continue;
    values.set(s.name, src.slice() as Float32Array | BigInt64Array);
    transferred.push(s.name);
  }
  return { values, transferred };
}

/** "0 Airplane, 1 Bag, …" */
export const CATEGORY_LIST = SHAPENETPART_CATEGORIES.map((k, i) => `${i} ${k.name}`).join(', ');

/** Checks a category the user chose; throws InputError naming the range. */
export function checkCategory(category: number): void {
  if (!Number.isInteger(category) || category < 0 || category >= SHAPENETPART_CATEGORY_COUNT)
    throw new InputError(`Category ${category} is out of range: ShapeNetPart's are ${CATEGORY_LIST}.`);
}

/**
 * A dropped shape's part labels checked against its category: global ids (0-49, as ShapeNetPart
 * files write them) inside the category's range, or local ids 0..count−1 are not accepted (they
 * would be ambiguous). Throws InputError naming the file, the first bad value and the range.
 */
export function checkShapeParts(file: string, category: number, parts: Int32Array, lines?: Int32Array): void {
  const { first, count } = categoryParts(category);
  const name = SHAPENETPART_CATEGORIES[category]!.name;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p < first || p >= first + count) {
      const where = lines ? `line ${lines[i]}` : `point ${i}`;
      throw new InputError(
        `${file}: ${where} has part ${p}, outside ${name}'s parts ${first}..${first + count - 1} ` +
          `(${PART_NAMES[category]!.join(', ')}). Choose the shape's category, or fix the labels; ` +
          'nothing was changed.',
      );
    }
  }
}

/**
 * Per part of the category: IoU of prediction and truth as calculate_shape_IoU counts it (a part
 * absent from both counts 1), with the point counts.
 */
export function perPartIou(
  category: number,
  pred: Int32Array,
  truth: Int32Array,
): { part: number; iou: number; predicted: number; labelled: number }[] {
  const { first, count } = categoryParts(category);
  const out = [];
  for (let p = first; p < first + count; p++) {
    let inter = 0;
    let union = 0;
    let predicted = 0;
    let labelled = 0;
    for (let i = 0; i < pred.length; i++) {
      const a = pred[i] === p;
      const b = truth[i] === p;
      if (a) predicted++;
      if (b) labelled++;
      if (a && b) inter++;
      if (a || b) union++;
    }
    out.push({ part: p, iou: union === 0 ? 1 : inter / union, predicted, labelled });
  }
  return out;
}

/**
 * The score of predicting one part everywhere: each test shape gets its category's most common
 * part in the train split (the first of the category's parts when the split has none) at every
 * point. Instance mIoU as calculate_shape_IoU counts it; a model whose mIoU stays here has
 * learnt nothing about where parts are.
 */
export function singlePartBaseline(train: PartsegSet, test: PartsegSet): number {
  const counts = new Map<number, number>();
  for (let s = 0; s < train.S; s++)
    for (let i = 0; i < train.N; i++) {
      const p = train.parts[s * train.N + i]!;
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
  const pred = new Int32Array(test.S * test.N);
  for (let s = 0; s < test.S; s++) {
    const { first, count } = categoryParts(test.categories[s]!);
    let best = first;
    for (let p = first; p < first + count; p++) if ((counts.get(p) ?? 0) > (counts.get(best) ?? 0)) best = p;
    pred.fill(best, s * test.N, (s + 1) * test.N);
  }
  return partsegScores(pred, test.parts, test.categories, test.N).instanceMiou;
}
