import { dropoutKeeps, dropoutThreshold } from './dropout-hash';

/** Reference of shaders/dropout.wgsl: the scale of each element (0 or 1/(1 − p)), float64. */
export function dropoutScaleRef(n: number, p: number, seed: number, stream: number): Float64Array {
  const t = dropoutThreshold(p);
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) scale[i] = dropoutKeeps(seed, stream, i, t) ? 1 / (1 - p) : 0;
  return scale;
}
