import { ntxentRef } from '../kernels/ntxent.ref';
import { prototypeBackwardRef, prototypeRef } from '../kernels/prototype.ref';
import type { LossTerms } from './trainer-api';

/** Reference of the CrossPoint objective (float64): losses and gradients wrt z [2B, D] and zImg [B, D]. */
export function objectiveRef(
  z: ArrayLike<number>,
  zImg: ArrayLike<number>,
  B: number,
  D: number,
  tau: number,
  terms: LossTerms,
) {
  const dz = new Float64Array(2 * B * D);
  let dzImg = new Float64Array(B * D);
  let lImid = Number.NaN;
  let lCmid = Number.NaN;
  if (terms.imid) {
    const zs = Array.from(z);
    const r = ntxentRef(zs.slice(0, B * D), zs.slice(B * D), B, D, tau);
    lImid = r.loss;
    dz.set(r.da, 0);
    dz.set(r.db, B * D);
  }
  if (terms.cmid) {
    const zp = prototypeRef(z, B, D);
    const r = ntxentRef(zp, zImg, B, D, tau);
    lCmid = r.loss;
    prototypeBackwardRef(r.da, dz, B, D);
    dzImg = Float64Array.from(r.db);
  }
  return { lImid, lCmid, dz, dzImg };
}
