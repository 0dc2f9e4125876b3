import maxPool2dWgsl from '../../shaders/maxpool2d.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { checkBufferSize } from '../gpu/limits';
import { createParams } from '../gpu/params';
import { type MaxPool2dRefShape, maxPool2dOutSize } from './maxpool2d-shape';

const WG = 256;

/** PyTorch MaxPool2d(kernel, stride, padding) on NCHW input (ceil_mode false, dilation 1). */
export type MaxPool2dShape = MaxPool2dRefShape;

export interface MaxPool2dBuffers {
  x: GPUBuffer; // [B, C, H, W]
  y: GPUBuffer; // [B, C, Ho, Wo]
  argmax: GPUBuffer; // i32 [B, C, Ho, Wo]: flat ih·W + iw of each maximum within its plane
  dy?: GPUBuffer; // [B, C, Ho, Wo]; needed by encodeBackward
  dx?: GPUBuffer; // [B, C, H, W]; needed by encodeBackward
}

export interface MaxPool2dOp {
  readonly Ho: number;
  readonly Wo: number;
  /** y, argmax = maxpool(x). */
  encodeForward(enc: GPUCommandEncoder): void;
  /** dx (+)= dy routed through argmax (reads the argmax of the last forward). */
  encodeBackward(enc: GPUCommandEncoder, opts?: { accumulate?: boolean }): void;
  destroy(): void;
}

const LOWER = 'the batch size or the image size';

export async function planMaxPool2d(
  ctx: GpuContext,
  s: MaxPool2dShape,
  bufs: MaxPool2dBuffers,
): Promise<MaxPool2dOp> {
  for (const k of ['B', 'C', 'H', 'W', 'kernel', 'stride'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1)
      throw new Error(`planMaxPool2d: ${k} must be a positive integer`);
  }
  // PyTorch's rule: a window may not lie wholly in the padding.
  if (!Number.isInteger(s.pad) || s.pad < 0 || 2 * s.pad > s.kernel) {
    throw new Error('planMaxPool2d: pad must be an integer in [0, kernel/2]');
  }
  const { Ho, Wo } = maxPool2dOutSize(s);
  if (Ho < 1 || Wo < 1) throw new Error(`planMaxPool2d: kernel ${s.kernel} does not fit ${s.H}×${s.W}`);
  const inCount = s.B * s.C * s.H * s.W;
  const outCount = s.B * s.C * Ho * Wo;
  checkBufferSize(ctx.limits, inCount * 4, 'maxpool2d input x', LOWER);
  checkBufferSize(ctx.limits, outCount * 4, 'maxpool2d output y', LOWER);
  const fwdGroups = grid1D(ctx, Math.ceil(outCount / WG));
  const bwdGroups = grid1D(ctx, Math.ceil(inCount / WG));
  const wantBackward = Boolean(bufs.dy && bufs.dx);
  const [fwd, bwd] = await Promise.all([
    ctx.pipelines.compute(maxPool2dWgsl, 'forward', { WG }, 'maxpool2d'),
    wantBackward ? ctx.pipelines.compute(maxPool2dWgsl, 'backward', { WG }, 'maxpool2d') : undefined,
  ]);
  // Two uniform blocks, differing only in `accumulate`, so encode() picks one without a queue write.
  const params = [0, 1].map((acc) =>
    createParams(ctx, `maxpool2d.params${acc ? '.acc' : ''}`, [
      ['u32', s.B],
      ['u32', s.C],
      ['u32', s.H],
      ['u32', s.W],
      ['u32', Ho],
      ['u32', Wo],
      ['u32', s.kernel],
      ['u32', s.stride],
      ['u32', s.pad],
      ['u32', acc],
    ]),
  );
  const bind = (pipeline: GPUComputePipeline, entries: [number, GPUBuffer][]) =>
    ctx.device.createBindGroup({
      label: 'maxpool2d',
      layout: pipeline.getBindGroupLayout(0),
      entries: entries.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
    });
  const fwdBind = bind(fwd, [
    [0, bufs.x],
    [1, bufs.y],
    [2, bufs.argmax],
    [3, params[0]!.buffer],
  ]);
  const bwdBinds =
    bwd &&
    params.map((pr) =>
      bind(bwd, [
        [3, pr.buffer],
        [4, bufs.dy!],
        [5, bufs.argmax],
        [6, bufs.dx!],
      ]),
    );
  return {
    Ho,
    Wo,
    encodeForward: (enc) => encodePass(enc, fwd, fwdBind, fwdGroups, 'maxpool2d.forward'),
    encodeBackward(enc, opts = {}) {
      if (!bwd || !bwdBinds) throw new Error('maxpool2d: backward needs dy and dx buffers at plan time');
      encodePass(enc, bwd, bwdBinds[opts.accumulate ? 1 : 0]!, bwdGroups, 'maxpool2d.backward');
    },
    destroy() {
      for (const pr of params) pr.buffer.destroy();
    },
  };
}
