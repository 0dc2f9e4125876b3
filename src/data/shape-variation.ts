/**
 * Harder intra-class variation for the generated set (SampleSetOptions.variation 'hard'): each
 * object is stretched along x, y and z by independent factors (log-uniform in [1/1.6, 1.6]) and
 * turned about the up axis by a uniform angle, then centred and scaled back into the unit
 * sphere. Class identity stays in the parts and their arrangement, not in the proportions or the
 * heading every object of a family otherwise shares, so features that only see the overall
 * silhouette (a random encoder's) no longer separate the classes for free.
 */
import type { Rng } from '../util/random';
import { type Mesh, normaliseMesh } from './mesh';

export const SAMPLE_VARIATIONS = ['standard', 'hard'] as const;
export type SampleVariation = (typeof SAMPLE_VARIATIONS)[number];

/** Largest stretch factor along an axis (and 1/this the smallest). */
export const MAX_STRETCH = 1.6;

/** The mesh stretched and turned by draws from `rng` (positive scales and a rotation: winding kept). */
export function varyMesh(mesh: Mesh, rng: Rng): Mesh {
  const s = [0, 1, 2].map(() => Math.exp(rng.uniform(-1, 1) * Math.log(MAX_STRETCH)));
  const a = rng.uniform(-Math.PI, Math.PI);
  const c = Math.cos(a);
  const n = Math.sin(a);
  const p = mesh.positions;
  const out = new Float32Array(p.length); // [V * 3]
  for (let i = 0; i < p.length; i += 3) {
    const x = p[i]! * s[0]!;
    const y = p[i + 1]! * s[1]!;
    const z = p[i + 2]! * s[2]!;
    out[i] = c * x + n * z;
    out[i + 1] = y;
    out[i + 2] = -n * x + c * z;
  }
  const m = normaliseMesh(out, mesh.indices);
  return mesh.faceParts ? { ...m, faceParts: mesh.faceParts } : m;
}
