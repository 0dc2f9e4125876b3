import dropoutWgsl from '../../shaders/dropout.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { createParams } from '../gpu/params';
import { bindAt } from '../gpu/bind';
import { dropoutThreshold } from './dropout-hash';

const WG = 256;

/**
 * Dropout over n elements with a mask that depends only on (seed, stream, element index)
 * (src/kernels/dropout-hash.ts): stream = 2·step + layer, so each training step and each dropout
 * layer draws its own mask and a run is reproducible from its seed.
 */
export interface DropoutShape {
  n: number;
  /** Drop probability (PyTorch's p), in [0, 1). */
  p: number;
  seed: number;
  /** Which dropout layer of the model (0, 1, …): part of the stream. */
  layer: number;
}

export interface DropoutBuffers {
  /** [n] input and output (distinct buffers). */
  x: GPUBuffer;
  y: GPUBuffer;
  /** [n] gradient of y and of x (distinct buffers); both or neither. */
  dy?: GPUBuffer;
  dx?: GPUBuffer;
}

export interface DropoutOp {
  /** Selects the mask of training step `step` (writes the uniform; call before the submit). */
  setStep(step: number): void;
  /** y = mask·x/(1 − p) when `active`, else y = x (evaluation). */
  encodeForward(enc: GPUCommandEncoder, active: boolean): void;
  /** dx = dy through the mask (or identity) of the last forward. */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}

/** The stream of one step and layer (shared with the reference). */
export function dropoutStream(step: number, layer: number): number {
  return (2 * step + layer) >>> 0;
}

export async function planDropout(
  ctx: GpuContext,
  s: DropoutShape,
  bufs: DropoutBuffers,
): Promise<DropoutOp> {
  if (!(Number.isInteger(s.n) && s.n >= 1)) throw new Error(`planDropout: n must be ≥ 1 (got ${s.n})`);
  if (bufs.x === bufs.y || (bufs.dx && bufs.dx === bufs.dy)) {
    throw new Error('planDropout: input and output must be distinct buffers');
  }
  const threshold = dropoutThreshold(s.p);
  const pipe = await ctx.pipelines.compute(dropoutWgsl, 'apply', { WG }, 'dropout');
  const fields = (step: number, on: boolean): ['u32' | 'f32', number][] => [
    ['u32', s.n],
    ['u32', s.seed >>> 0],
    ['u32', dropoutStream(step, s.layer)],
    ['u32', on ? threshold : 0],
    ['f32', on ? 1 / (1 - s.p) : 1],
    ['u32', 0],
    ['u32', 0],
    ['u32', 0],
  ];
  const active = createParams(ctx, 'dropout.params', fields(0, true));
  const identity = createParams(ctx, 'dropout.identity', fields(0, false));
  const bind = (src: GPUBuffer, dst: GPUBuffer, pb: GPUBuffer) =>
    bindAt(ctx, pipe, [
      [0, pb],
      [1, src],
      [2, dst],
    ]);
  const fwd = { on: bind(bufs.x, bufs.y, active.buffer), off: bind(bufs.x, bufs.y, identity.buffer) };
  const bwd =
    bufs.dy && bufs.dx
      ? { on: bind(bufs.dy, bufs.dx, active.buffer), off: bind(bufs.dy, bufs.dx, identity.buffer) }
      : undefined;
  const groups = grid1D(ctx, Math.ceil(s.n / WG));
  let last: boolean | undefined;
  return {
    setStep: (step) => active.write(fields(step, true).map(([, v]) => v)),
    encodeForward(enc, on) {
      encodePass(enc, pipe, on ? fwd.on : fwd.off, groups, 'dropout.forward');
      last = on;
    },
    encodeBackward(enc) {
      if (!bwd) throw new Error('dropout: planned without dy/dx, no backward');
      if (last === undefined) throw new Error('dropout: encodeBackward before any encodeForward');
      encodePass(enc, pipe, last ? bwd.on : bwd.off, groups, 'dropout.backward');
    },
    destroy() {
      active.buffer.destroy();
      identity.buffer.destroy();
    },
  };
}
