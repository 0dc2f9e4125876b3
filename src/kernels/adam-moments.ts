/** Where each tensor's Adam moments sit in one packed buffer: m at offsets[t], v at total + offsets[t]. */
export interface AdamMomentsLayout {
  offsets: readonly number[];
  /** Elements of all tensors together; the moments buffer holds 2·total f32. */
  total: number;
}

/** The packed layout of tensors of these sizes (in order, no gaps). */
export function adamMomentsLayout(sizes: readonly number[]): AdamMomentsLayout {
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  return { offsets, total };
}
