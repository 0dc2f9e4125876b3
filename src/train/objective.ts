import type { GpuContext } from '../gpu/context';
import { planNtXent } from '../kernels/ntxent';
import { planPrototype } from '../kernels/prototype';
import type { LossTerms } from './trainer-api';

export interface ObjectiveBuffers {
  /** [2B, D] point projections: rows 0..B−1 the first augmented copies, B..2B−1 the second. */
  z: GPUBuffer;
  /** [B, D] image projections of the same objects, same order. */
  zImg: GPUBuffer;
  /** [2B, D] gradient of L wrt z (overwritten). */
  dz: GPUBuffer;
  /** [B, D] gradient of L wrt zImg (overwritten). */
  dzImg: GPUBuffer;
  /** f32 [2]: loss[0] = L_imid, loss[1] = L_cmid (a switched-off term is left untouched). */
  loss: GPUBuffer;
}

/**
 * CrossPoint's objective (DESIGN.md §1): L = L_imid + L_cmid, with
 *   L_imid = NTXent(z_t1, z_t2) over the two augmented copies of each cloud, and
 *   L_cmid = NTXent(z_p, z_img) with the prototype z_p = (z_t1 + z_t2)/2 taken before
 *   normalisation. Forward and backward are recorded together; each term can be switched off
 *   (the paper's ablation), in which case it contributes neither loss nor gradient.
 */
export async function planObjective(
  ctx: GpuContext,
  shape: { B: number; D: number; temperature: number; terms: LossTerms },
  bufs: ObjectiveBuffers,
) {
  const { B, D, temperature, terms } = shape;
  if (!terms.imid && !terms.cmid) throw new Error('at least one of L_imid and L_cmid must be trained');
  const half = B * D;
  const imid = terms.imid
    ? await planNtXent(
        ctx,
        {
          B,
          D,
          temperature,
          offsetA: 0,
          offsetB: half,
          offsetDA: 0,
          offsetDB: half,
          accumulate: true,
          lossIndex: 0,
        },
        { a: bufs.z, b: bufs.z, loss: bufs.loss, da: bufs.dz, db: bufs.dz },
      )
    : undefined;
  let cmid: { encode(enc: GPUCommandEncoder): void; destroy(): void } | undefined;
  if (terms.cmid) {
    const mk = (label: string) =>
      ctx.device.createBuffer({
        label,
        size: half * 4,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      });
    const zp = mk('objective.zp'); // [B, D] point prototype
    const dzp = mk('objective.dzp'); // [B, D] its gradient
    const proto = await planPrototype(ctx, { B, D }, { z: bufs.z, zp, dzp, dz: bufs.dz });
    const nt = await planNtXent(
      ctx,
      { B, D, temperature, lossIndex: 1 },
      { a: zp, b: bufs.zImg, loss: bufs.loss, da: dzp, db: bufs.dzImg },
    );
    cmid = {
      encode(enc) {
        proto.encodeForward(enc);
        nt.encode(enc);
        proto.encodeBackward(enc);
      },
      destroy() {
        proto.destroy();
        nt.destroy();
        zp.destroy();
        dzp.destroy();
      },
    };
  }
  return {
    /** Records the losses and the gradients dz, dzImg (overwritten). */
    encode(enc: GPUCommandEncoder) {
      enc.clearBuffer(bufs.dz);
      if (!cmid) enc.clearBuffer(bufs.dzImg);
      imid?.encode(enc);
      cmid?.encode(enc);
    },
    destroy() {
      imid?.destroy();
      cmid?.destroy();
    },
  };
}
