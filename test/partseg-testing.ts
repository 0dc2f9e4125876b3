import type { PartSegConfig } from '../src/nn/dgcnn-partseg-config';
import { partSegParamSpecs } from '../src/nn/dgcnn-partseg-config';
import { initialiseParams, numel } from '../src/nn/param-spec';
import { Rng } from '../src/util/random';

/**
 * Values for every tensor of the part-segmentation model with nothing degenerate: PyTorch's init
 * for weights, then BN affine parameters and running statistics away from 1 / 0, and a random
 * (not zero) transform weight so T is not the identity and its gradient path is exercised.
 */
export function randomPartSegValues(c: PartSegConfig, seed: number) {
  const specs = partSegParamSpecs(c);
  const v = initialiseParams(specs, seed);
  const rng = new Rng(seed + 1000);
  for (const s of specs) {
    if (s.dtype !== 'F32') continue;
    const n = numel(s.shape);
    const isBn = s.init === 'ones' || s.init === 'zeros' || /running_/.test(s.name);
    if (s.name === 'transform_net.transform.weight') v.set(s.name, rng.uniformArray(n, -0.3, 0.3));
    else if (s.name === 'transform_net.transform.bias') {
      const t = Float32Array.from({ length: 9 }, (_, i) => (i % 4 === 0 ? 1 : 0) + rng.uniform(-0.3, 0.3));
      v.set(s.name, t);
    } else if (!isBn) continue;
    else if (s.name.endsWith('.weight')) v.set(s.name, rng.uniformArray(n, 0.5, 1.5));
    else if (s.name.endsWith('.bias')) v.set(s.name, rng.uniformArray(n, -0.3, 0.3));
    else if (s.name.endsWith('.running_mean')) v.set(s.name, rng.uniformArray(n, -0.2, 0.2));
    else if (s.name.endsWith('.running_var')) v.set(s.name, rng.uniformArray(n, 0.5, 2));
  }
  return v;
}

/** A small configuration with every width distinct, for tests. */
export const PARTSEG_TINY: PartSegConfig = {
  k: 3,
  tnet: [5, 6, 7, 4, 3],
  edge: 4,
  emb: 6,
  categories: 3,
  category: 2,
  head: [5, 4, 3],
  parts: 4,
  dropout: 0.5,
  headHidden: 6,
  proj: 3,
};
