import concatWgsl from '../../shaders/concat.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { bindBuffers, encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';

const WG = 256;

/**
 * One part of a channel concatenation: part [B, C, N] occupies channels c0 … c0+C−1 of
 * whole [B, Ctot, N].
 */
export interface ConcatShape {
  B: number;
  /** Channels of the part. */
  C: number;
  N: number;
  /** Channels of the whole. */
  Ctot: number;
  /** First channel of the part inside the whole. */
  c0: number;
  /** Forward adds into the whole's slice instead of overwriting it. */
  accumulateForward?: boolean;
  /** Backward adds into dPart (dPart += slice of dWhole) instead of overwriting it. */
  accumulateBackward?: boolean;
}

export interface ConcatBuffers {
  /** [B, C, N] */
  part?: GPUBuffer;
  /** [B, Ctot, N] */
  whole?: GPUBuffer;
  /** [B, C, N] */
  dPart?: GPUBuffer;
  /** [B, Ctot, N] */
  dWhole?: GPUBuffer;
}

export interface ConcatOp {
  /** whole[:, c0:c0+C, :] = part */
  encodeForward(enc: GPUCommandEncoder): void;
  /** dPart = dWhole[:, c0:c0+C, :] */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** Plans the copy of one part into (forward) and out of (backward) a channel slice. */
export async function planConcat(ctx: GpuContext, s: ConcatShape, bufs: ConcatBuffers): Promise<ConcatOp> {
  if (s.c0 < 0 || s.c0 + s.C > s.Ctot) {
    throw new Error(`planConcat: channels ${s.c0}…${s.c0 + s.C - 1} outside [0, ${s.Ctot})`);
  }
  const pipeline = await ctx.pipelines.compute(concatWgsl, 'copy', { WG }, 'concat');
  const len = s.C * s.N;
  const total = s.B * len;
  const groups = grid1D(ctx, Math.ceil(total / WG));
  const plan = (src: GPUBuffer, dst: GPUBuffer, fromWhole: boolean, acc: boolean | undefined) => {
    const params = createParams(ctx, 'concat.params', [
      ['u32', s.B],
      ['u32', len],
      ['u32', total],
      ['u32', fromWhole ? s.Ctot * s.N : len],
      ['u32', fromWhole ? s.c0 * s.N : 0],
      ['u32', fromWhole ? len : s.Ctot * s.N],
      ['u32', fromWhole ? 0 : s.c0 * s.N],
      ['u32', acc ? 1 : 0],
    ]);
    return { params, bind: bindBuffers(ctx, pipeline, [src, dst, params.buffer], 'concat') };
  };
  const fwd = bufs.part && bufs.whole ? plan(bufs.part, bufs.whole, false, s.accumulateForward) : undefined;
  const bwd =
    bufs.dWhole && bufs.dPart ? plan(bufs.dWhole, bufs.dPart, true, s.accumulateBackward) : undefined;
  return {
    encodeForward(enc) {
      if (!fwd) throw new Error('concat: planned without part/whole, no forward');
      encodePass(enc, pipeline, fwd.bind, groups, 'concat.forward');
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('concat: planned without dPart/dWhole, no backward');
      encodePass(enc, pipeline, bwd.bind, groups, 'concat.backward');
    },
    destroy() {
      fwd?.params.buffer.destroy();
      bwd?.params.buffer.destroy();
    },
  };
}
