/**
 * Orders the similarity matrix's batch by class, so that same-class pairs sit in blocks around
 * the diagonal, and finds those blocks. Pure functions of the batch's class labels.
 */

/** A run of consecutive rows (and columns) of one class: [start, end). */
export interface ClassBlock {
  label: number;
  start: number;
  end: number;
}

/**
 * `order[i]` is the batch position shown i-th: positions sorted by class, ties in batch order
 * (stable), and the class blocks of that order.
 */
export function classOrder(classOf: readonly number[]): { order: number[]; blocks: ClassBlock[] } {
  const order = classOf.map((_, i) => i).sort((a, b) => classOf[a]! - classOf[b]! || a - b);
  const blocks: ClassBlock[] = [];
  order.forEach((p, i) => {
    const label = classOf[p]!;
    const last = blocks[blocks.length - 1];
    if (last && last.label === label) last.end = i + 1;
    else blocks.push({ label, start: i, end: i + 1 });
  });
  return { order, blocks };
}

/** The [B, B] row-major matrix with rows and columns both permuted: out[i][j] = m[order[i]][order[j]]. */
export function permuteSquare(m: ArrayLike<number>, B: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(B * B); // [B, B]
  for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) out[i * B + j] = m[order[i]! * B + order[j]!]!;
  return out;
}
