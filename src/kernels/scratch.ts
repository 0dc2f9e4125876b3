/**
 * What a kernel plan allocates for itself (scratch, uniforms), as the plan's own module exports
 * it: the model layer sums these lists for its byte budget instead of re-deriving a kernel's
 * private sizes, and the plan allocates from the same list, so the two cannot drift.
 */
export interface ScratchSpec {
  /** The buffer's name within the plan. */
  name: string;
  bytes: number;
}

/** A scratch buffer of `n` f32/i32/u32 elements (at least one word, as the arena allocates). */
export function words(name: string, n: number): ScratchSpec {
  return { name, bytes: Math.max(4, Math.ceil(n) * 4) };
}

export function scratchBytes(specs: readonly ScratchSpec[]): number {
  return specs.reduce((t, s) => t + s.bytes, 0);
}

/** The bytes of `name` in `specs` (a plan allocating what it exported). */
export function scratchSize(specs: readonly ScratchSpec[], name: string): number {
  const s = specs.find((x) => x.name === name);
  if (!s) throw new Error(`scratch: no buffer "${name}" in the plan's list`);
  return s.bytes;
}
