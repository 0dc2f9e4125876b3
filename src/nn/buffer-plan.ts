import type { BufferArena } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { type ScratchSpec, scratchBytes } from '../kernels/scratch';
import { type ParamSpec, numel } from './param-spec';
import { ParamStore } from './param-store';

/**
 * One buffer a module will allocate: the same list drives the arena (createX) and the byte
 * budget (`crosspoint plan`), so the printed figures cannot drift from what is allocated.
 */
export interface BufferSpec {
  name: string;
  bytes: number;
  group: BufferGroup;
}

/**
 * Buffer groups: parameters and their gradients, BN running statistics, forward activations
 * (kept for the backward), gradients of activations, integer indices (kNN, arg-max), and
 * 'kernel-scratch': buffers kernels allocate inside their plans (BN partial sums, uniform
 * blocks...), listed by formula since the arena does not own them.
 */
export type BufferGroup =
  | 'weights'
  | 'grads'
  | 'bn-stats'
  | 'activations'
  | 'activation-grads'
  | 'indices'
  | 'kernel-scratch'
  // Only in training-step budgets (src/nn/training-plan.ts), never allocated by a model:
  | 'optimizer'
  | 'loss'
  | 'transient';

/** A list of buffer specs under a name prefix. */
export class BufferList {
  readonly specs: BufferSpec[] = [];
  constructor(readonly prefix = '') {}

  /** Adds a buffer of `floats` 4-byte elements; returns its full name. */
  add(name: string, floats: number, group: BufferGroup): string {
    const full = `${this.prefix}${name}`;
    this.specs.push({ name: full, bytes: Math.max(4, Math.ceil(floats) * 4), group });
    return full;
  }

  push(...specs: BufferSpec[]): void {
    this.specs.push(...specs);
  }
}

/**
 * The buffers a ParamStore allocates for `specs` (mirrors src/nn/param-store.ts: trainable → a
 * "weights" value and a "grads" gradient, other floats → "bn-stats", counters stay on the CPU).
 * A test checks that the arena after createDgcnn/createPointNet holds exactly these bytes.
 */
export function paramBufferSpecs(specs: readonly ParamSpec[], prefix = '', grads = true): BufferSpec[] {
  const out: BufferSpec[] = [];
  for (const s of specs) {
    if (s.dtype === 'I64') continue;
    const bytes = Math.max(4, numel(s.shape) * 4);
    out.push({ name: `${prefix}${s.name}`, bytes, group: s.trainable ? 'weights' : 'bn-stats' });
    if (s.trainable && grads) out.push({ name: `${prefix}${s.name}.grad`, bytes, group: 'grads' });
  }
  return out;
}

/** Allocates every spec not owned by a kernel ('kernel-scratch' is counted, not allocated). */
export function allocateSpecs(arena: BufferArena, specs: readonly BufferSpec[]): void {
  for (const s of specs) if (s.group !== 'kernel-scratch') arena.alloc(s.name, s.bytes, s.group);
}

/** Bytes by group (every group present, zeros included) and the total. */
export function sumByGroup(specs: readonly BufferSpec[]): Record<string, number> {
  const g: Record<string, number> = {};
  let total = 0;
  for (const s of specs) {
    g[s.group] = (g[s.group] ?? 0) + s.bytes;
    total += s.bytes;
  }
  return { ...g, total };
}

/** Bytes the kernels' uniform blocks take (16 bytes at least each; counted in kernel-scratch). */
export const UNIFORM_BYTES = 64;

/**
 * A kernel plan's own buffers, as its module exports them (edgeConvScratch, knnScratch,
 * batchNormScratch, conv2dScratch...), summed into one 'kernel-scratch' entry `<name>.scratch`.
 */
export function kernelScratch(name: string, specs: readonly ScratchSpec[]): BufferSpec[] {
  if (specs.length === 0) return [];
  return [{ name: `${name}.scratch`, bytes: scratchBytes(specs), group: 'kernel-scratch' }];
}

/**
 * A model's parameters (a ParamStore under `prefix`, with gradient buffers when `grads`) and every
 * other buffer of its `specs` list in `arena`, and lookups of them by name: `g` one the plan has,
 * `opt` one it may not allocate (undefined then).
 */
export function allocateModel(
  ctx: GpuContext,
  arena: BufferArena,
  paramSpecs: readonly ParamSpec[],
  specs: readonly BufferSpec[],
  prefix: string,
  grads = true,
) {
  const params = new ParamStore(ctx, arena, paramSpecs, prefix, grads);
  const paramNames = new Set(paramBufferSpecs(params.specs, prefix).map((s) => s.name));
  allocateSpecs(
    arena,
    specs.filter((s) => !paramNames.has(s.name)),
  );
  return {
    params,
    g: (name: string) => arena.get(name),
    opt: (name: string) => (arena.has(name) ? arena.get(name) : undefined),
  };
}
