import activationWgsl from '../../shaders/activation.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';
import { bindAt } from '../gpu/bind';

const WG = 256;

export type ActivationKind = 'relu' | 'leaky_relu';

export interface ActivationShape {
  /** Element count (any length). */
  n: number;
  kind: ActivationKind;
  /** Negative slope of leaky_relu (default 0.2, DGCNN's); must be ≥ 0. ReLU's is 0. */
  slope?: number;
  /** Backward adds into dx (dx += ...) instead of overwriting it. Not with dx = dy. */
  accumulate?: boolean;
  /**
   * Which forward tensor the backward reads to decide the branch: 'output' (default; works in
   * place) or 'input'. Both give the same gradient for slope ≥ 0.
   */
  backwardFrom?: 'input' | 'output';
}

export interface ActivationBuffers {
  /** Forward input [n]. */
  x: GPUBuffer;
  /** Forward output [n]; the same buffer as x for an in-place activation. */
  y: GPUBuffer;
  /** Gradient of the output [n] (needed for encodeBackward). */
  dy?: GPUBuffer;
  /** Gradient of the input [n]; may be dy itself (in place). */
  dx?: GPUBuffer;
}

export interface ActivationOp {
  encodeForward(enc: GPUCommandEncoder): void;
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

export function activationSlope(s: ActivationShape): number {
  return s.kind === 'relu' ? 0 : (s.slope ?? 0.2);
}

/** Plans ReLU / LeakyReLU forward and backward over fixed buffers. */
export async function planActivation(
  ctx: GpuContext,
  s: ActivationShape,
  bufs: ActivationBuffers,
): Promise<ActivationOp> {
  const slope = activationSlope(s);
  if (!(slope >= 0)) throw new Error(`planActivation: slope must be ≥ 0 (got ${slope})`);
  if (s.n < 1) throw new Error('planActivation: n must be ≥ 1');
  const inplaceFwd = bufs.x === bufs.y;
  const from = s.backwardFrom ?? 'output';
  if (from === 'input' && inplaceFwd) {
    throw new Error("planActivation: backwardFrom 'input' needs x, but the forward runs in place");
  }
  const hasBwd = bufs.dy !== undefined && bufs.dx !== undefined;
  const inplaceBwd = hasBwd && bufs.dx === bufs.dy;
  if (inplaceBwd && s.accumulate) throw new Error('planActivation: accumulate needs dx distinct from dy');
  const constants = { WG };
  const [fwd, bwd] = await Promise.all([
    ctx.pipelines.compute(
      activationWgsl,
      inplaceFwd ? 'forward_inplace' : 'forward',
      constants,
      'activation',
    ),
    hasBwd
      ? ctx.pipelines.compute(
          activationWgsl,
          inplaceBwd ? 'backward_inplace' : 'backward',
          constants,
          'activation',
        )
      : undefined,
  ]);
  const params = createParams(ctx, 'activation.params', [
    ['u32', s.n],
    ['f32', slope],
    ['u32', s.accumulate ? 1 : 0],
  ]);
  const pb = params.buffer;
  const bindF = inplaceFwd
    ? bindAt(ctx, fwd, [
        [2, bufs.y],
        [3, pb],
      ])
    : bindAt(ctx, fwd, [
        [0, bufs.x],
        [2, bufs.y],
        [3, pb],
      ]);
  const gate = from === 'input' ? bufs.x : bufs.y;
  let bindB: GPUBindGroup | undefined;
  if (bwd && bufs.dy && bufs.dx) {
    bindB = inplaceBwd
      ? bindAt(ctx, bwd, [
          [1, gate],
          [2, bufs.dx],
          [3, pb],
        ])
      : bindAt(ctx, bwd, [
          [0, bufs.dy],
          [1, gate],
          [2, bufs.dx],
          [3, pb],
        ]);
  }
  const groups = grid1D(ctx, Math.ceil(s.n / WG));
  return {
    encodeForward: (enc) => encodePass(enc, fwd, bindF, groups, `${s.kind}.forward`),
    encodeBackward(enc) {
      if (!bwd || !bindB) throw new Error('activation: planned without dy/dx, no backward');
      encodePass(enc, bwd, bindB, groups, `${s.kind}.backward`);
    },
    destroy: () => pb.destroy(),
  };
}
