import { type AdamHyper, adamRef } from './adam.ref';
import { adamMomentsLayout } from './adam-moments';

/**
 * Reference for shaders/adam_multi.wgsl in float64: one Adam step (adamRef, PyTorch's semantics)
 * on every tensor, with both moments packed as the kernel keeps them (m of tensor i at
 * offsets[i], v at total + offsets[i]); when any gradient has a non-finite value nothing changes.
 * Returns the flags: [tensors + 1], 1 where that tensor's gradient was not finite, the last their OR.
 */
export function adamMultiRef(
  thetas: readonly Float64Array[],
  grads: readonly ArrayLike<number>[],
  moments: Float64Array, // [2·total]
  t: number,
  h: AdamHyper,
): Uint32Array {
  const { offsets, total } = adamMomentsLayout(thetas.map((x) => x.length));
  const flags = new Uint32Array(thetas.length + 1);
  grads.forEach((g, i) => {
    for (let e = 0; e < g.length; e++) if (!Number.isFinite(g[e]!)) flags[i] = 1;
  });
  flags[thetas.length] = flags.some((f) => f !== 0) ? 1 : 0;
  if (flags[thetas.length]) return flags;
  thetas.forEach((theta, i) => {
    const n = theta.length;
    const o = offsets[i]!;
    adamRef(theta, grads[i]!, moments.subarray(o, o + n), moments.subarray(total + o, total + o + n), t, h);
  });
  return flags;
}
