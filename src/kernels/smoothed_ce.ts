import smoothedCeWgsl from '../../shaders/smoothed_ce.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass, grid1D } from '../gpu/dispatch';
import { createParams, type ParamType } from '../gpu/params';
import { LABEL_SMOOTHING, smoothedTarget } from './smoothed_ce-target';

const WG = 64;

export interface SmoothedCeShape {
  B: number;
  /** Classes per point (part segmentation: 50). */
  C: number;
  /** Points per cloud. */
  N: number;
  /** Label smoothing ε (default 0.2, the reference's). */
  eps?: number;
  /** Multiplies the gradient (default 1). */
  scale?: number;
  /** Where in `loss` the mean is written (default 0). */
  lossIndex?: number;
}

export interface SmoothedCeBuffers {
  logits: GPUBuffer; // [B, C, N]
  labels: GPUBuffer; // [B, N] i32 class per point, each in [0, C) (the caller checks)
  grad: GPUBuffer; // [B, C, N] gradient of scale·loss wrt logits (overwritten)
  pred: GPUBuffer; // [B, N] i32 arg-max over C of the logits (first on ties)
  loss: GPUBuffer; // f32, loss[lossIndex] = mean over the B·N points
}

/** Bytes the plan allocates for itself: the per-point losses. */
export function smoothedCeScratch(s: { B: number; N: number }): { name: string; bytes: number }[] {
  return [{ name: 'smoothed_ce.pointLoss', bytes: s.B * s.N * 4 }];
}

export interface SmoothedCeOp {
  /** Forward and backward in one go: loss, gradient and predictions. */
  encode(enc: GPUCommandEncoder): void;
  /**
   * Count only the first `rows` clouds (1 ≤ rows ≤ B) from the next encode on: the mean, the
   * gradient's 1/(rows·N) and the outputs cover those clouds; later rows are left as they were
   * (an evaluation's last, padded batch).
   */
  setRows(rows: number): void;
  destroy(): void;
}

/** Plans the label-smoothed cross-entropy (the reference's cal_loss) over logits [B, C, N]. */
export async function planSmoothedCe(
  ctx: GpuContext,
  s: SmoothedCeShape,
  bufs: SmoothedCeBuffers,
): Promise<SmoothedCeOp> {
  const count = s.B * s.N;
  if (count < 1) throw new Error(`smoothed cross-entropy needs at least one point (B ${s.B}, N ${s.N})`);
  const { on, off } = smoothedTarget(s.C, s.eps ?? LABEL_SMOOTHING);
  const point = await ctx.pipelines.compute(smoothedCeWgsl, 'point', { WG }, 'smoothed_ce');
  const mean = await ctx.pipelines.compute(smoothedCeWgsl, 'mean', {}, 'smoothed_ce');
  const [scratch] = smoothedCeScratch(s);
  const pointLoss = ctx.device.createBuffer({
    label: scratch!.name,
    size: Math.max(16, scratch!.bytes),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const fields = (rows: number): [ParamType, number][] => [
    ['u32', s.B],
    ['u32', s.C],
    ['u32', s.N],
    ['u32', rows * s.N],
    ['f32', on],
    ['f32', off],
    ['f32', (s.scale ?? 1) / (rows * s.N)],
    ['u32', s.lossIndex ?? 0],
  ];
  const params = createParams(ctx, 'smoothed_ce.params', fields(s.B));
  const all = [bufs.logits, bufs.labels, bufs.grad, pointLoss, bufs.pred, bufs.loss, params.buffer];
  // Each entry point's 'auto' layout holds only the bindings it uses.
  const bind = (pipeline: GPUComputePipeline, uses: number[], label: string) =>
    ctx.device.createBindGroup({
      label,
      layout: pipeline.getBindGroupLayout(0),
      entries: uses.map((binding) => ({ binding, resource: { buffer: all[binding]! } })),
    });
  const pointBind = bind(point, [0, 1, 2, 3, 4, 6], 'smoothed_ce.point');
  const meanBind = bind(mean, [3, 5, 6], 'smoothed_ce.mean');
  const groups = grid1D(ctx, Math.ceil(count / WG));
  return {
    encode(enc) {
      encodePass(enc, point, pointBind, groups, 'smoothed_ce.point');
      encodePass(enc, mean, meanBind, [1, 1, 1], 'smoothed_ce.mean');
    },
    setRows(rows) {
      if (!Number.isInteger(rows) || rows < 1 || rows > s.B) {
        throw new RangeError(`smoothed cross-entropy: rows must be 1..${s.B} (got ${rows})`);
      }
      params.write(fields(rows).map(([, v]) => v));
    },
    destroy() {
      pointLoss.destroy();
      params.buffer.destroy();
    },
  };
}
