// Helpers shared by the encoder tests (not a test file itself).
import { expect } from 'vitest';
import { expectClose } from './numeric';
import type { BufferArena } from '../src/gpu/arena';
import { type BufferSpec, sumByGroup } from '../src/nn/buffer-plan';
import { initialiseParams, type ParamSpec } from '../src/nn/param-spec';
import type { RefParams } from '../src/nn/projection-head.ref';
import { Rng } from '../src/util/random';

/** Fresh values with BN affine parameters and running statistics away from 1/0, so they matter. */
export function randomModelValues(specs: readonly ParamSpec[], seed: number) {
  const v = initialiseParams(specs, seed);
  const rng = new Rng(seed + 1000);
  for (const s of specs) {
    if (s.dtype !== 'F32' || (s.trainable && s.init !== 'ones' && s.init !== 'zeros')) continue;
    const n = s.shape[0] ?? 1;
    if (s.name.endsWith('.weight')) v.set(s.name, rng.uniformArray(n, 0.5, 1.5));
    else if (s.name.endsWith('.bias')) v.set(s.name, rng.uniformArray(n, -0.3, 0.3));
    else if (s.name.endsWith('.running_mean')) v.set(s.name, rng.uniformArray(n, -0.2, 0.2));
    else if (s.name.endsWith('.running_var')) v.set(s.name, rng.uniformArray(n, 0.5, 2));
  }
  return v;
}

export function toRefParams(v: Map<string, Float32Array | BigInt64Array>): RefParams {
  const p: RefParams = new Map();
  for (const [k, t] of v) if (t instanceof Float32Array) p.set(k, Float64Array.from(t));
  return p;
}

/** The arena holds exactly the non-kernel buffers the spec list names, byte for byte. */
export function expectArenaMatchesSpecs(arena: BufferArena, specs: readonly BufferSpec[]) {
  const own = specs.filter((s) => s.group !== 'kernel-scratch');
  const { total, ...groups } = sumByGroup(own);
  expect(arena.byGroup()).toEqual(Object.fromEntries(Object.entries(groups).sort((a, b) => b[1] - a[1])));
  expect(arena.totalBytes).toBe(total);
  expect(
    arena
      .list()
      .map((e) => e.name)
      .sort(),
  ).toEqual(own.map((s) => s.name).sort());
}

/**
 * GPU gradients against reference gradients, name by name (the same set of names). With
 * `betaLikeGamma`, a BatchNorm's β gradient is scaled like its γ gradient too: dβ sums the same
 * per-element terms as dγ, and where a following training-mode BN cancels it (a β before a max
 * and a BatchNorm1d) its exact value is 0 and only float32 noise of the size of those terms remains.
 */
export function expectGrads(
  got: Map<string, Float32Array>,
  want: Map<string, Float64Array>,
  atol: number,
  rtol: number,
  what: string,
  opts: { betaLikeGamma?: boolean } = {},
) {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  const largest = (w: Float64Array) => w.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  for (const [name, w] of want) {
    // Scale the tolerance by the tensor's largest gradient: float32 sums of many terms.
    let scale = largest(w);
    const gamma = name.endsWith('.bias') ? want.get(name.replace(/\.bias$/, '.weight')) : undefined;
    if (opts.betaLikeGamma && gamma?.length === w.length) scale = Math.max(scale, largest(gamma));
    expectClose(got.get(name)!, w, atol + 1e-4 * scale, rtol, `${what} d${name}`);
  }
}
