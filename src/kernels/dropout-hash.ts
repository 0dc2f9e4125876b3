/**
 * The dropout mask as a pure function of (seed, stream, element), shared by shaders/dropout.wgsl
 * and its reference so a mask is deterministic by seed and reproducible off the GPU. A PCG
 * output permutation (O'Neill's "PCG-RXS-M-XS" 32-bit hash) in u32 arithmetic; the WGSL does the
 * same wrapping multiplications.
 */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The 24-bit threshold of drop probability p: an element is kept when its 24-bit draw ≥ it. */
export function dropoutThreshold(p: number): number {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout probability must be in [0, 1) (got ${p})`);
  return Math.round(p * 2 ** 24);
}

/** Whether element i of stream `stream` (e.g. 2·step + layer) under `seed` is kept. */
export function dropoutKeeps(seed: number, stream: number, i: number, threshold: number): boolean {
  const key = pcgHash((seed ^ pcgHash(stream)) >>> 0);
  return pcgHash((i ^ key) >>> 0) >>> 8 >= threshold;
}
