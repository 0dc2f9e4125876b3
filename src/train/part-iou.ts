// Part-segmentation metrics exactly as train_partseg.py's calculate_shape_IoU: for each shape,
// the IoU of every part of the shape's own category (a part that is neither predicted nor true
// anywhere in the shape counts 1), averaged; instance mIoU is the mean over shapes (the paper's
// number). Predictions are arg-maxes over all 50 parts, so a prediction outside the category
// lowers the IoU of the true part but opens no part of its own. Also: class mIoU (mean over the
// categories present of their shapes' mean) and point accuracy.
import { categoryParts, SHAPENETPART_CATEGORY_COUNT } from '../data/shapenetpart-parts';

export interface PartsegScores {
  /** Mean over shapes of the shape's mean part IoU. */
  instanceMiou: number;
  /** Mean over the categories that have shapes of their shapes' mean IoU. */
  classMiou: number;
  /** Correct points / points. */
  accuracy: number;
  /** [S] each shape's mean part IoU. */
  shapeIous: Float64Array;
  /** Per category: mean IoU of its shapes and their count (count 0: the category is absent). */
  perCategory: { miou: number; shapes: number }[];
}

/** IoU of one part in one shape; an empty union counts 1. */
export function partIou(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  part: number,
  from = 0,
  to = pred.length,
): number {
  let inter = 0;
  let union = 0;
  for (let i = from; i < to; i++) {
    const p = pred[i] === part;
    const t = truth[i] === part;
    if (p && t) inter++;
    if (p || t) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * Scores of S shapes of N points: pred and truth [S, N] global part ids, categories [S] (the
 * ShapeNetPart category index of each shape).
 */
export function partsegScores(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  categories: ArrayLike<number>,
  N: number,
): PartsegScores {
  const S = categories.length;
  if (pred.length !== S * N || truth.length !== S * N) {
    throw new Error(
      `part scores: ${S} shapes of ${N} points need ${S * N} labels (pred ${pred.length}, truth ${truth.length})`,
    );
  }
  const shapeIous = new Float64Array(S);
  const sum = new Float64Array(SHAPENETPART_CATEGORY_COUNT);
  const count = new Int32Array(SHAPENETPART_CATEGORY_COUNT);
  let correct = 0;
  for (let s = 0; s < S; s++) {
    const cat = categories[s]!;
    const { first, count: parts } = categoryParts(cat);
    let iou = 0;
    for (let k = 0; k < parts; k++) iou += partIou(pred, truth, first + k, s * N, (s + 1) * N);
    shapeIous[s] = iou / parts;
    sum[cat]! += shapeIous[s]!;
    count[cat]!++;
    for (let i = s * N; i < (s + 1) * N; i++) if (pred[i] === truth[i]) correct++;
  }
  const perCategory = [...count].map((c, k) => ({ miou: c ? sum[k]! / c : 0, shapes: c }));
  const present = perCategory.filter((c) => c.shapes > 0);
  return {
    instanceMiou: S ? shapeIous.reduce((a, b) => a + b, 0) / S : 0,
    classMiou: present.length ? present.reduce((a, c) => a + c.miou, 0) / present.length : 0,
    accuracy: S ? correct / (S * N) : 0,
    shapeIous,
    perCategory,
  };
}
