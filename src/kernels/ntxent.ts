import ntxentWgsl from '../../shaders/ntxent.wgsl?raw';
import type { GpuContext } from '../gpu/context';
import { encodePass } from '../gpu/dispatch';
import { checkBufferSize, checkLimit } from '../gpu/limits';
import { createParams } from '../gpu/params';

export interface NtXentShape {
  /** Pairs: a and b each hold B rows of D. */
  B: number;
  D: number;
  /** Temperature τ (CrossPoint: 0.1). */
  temperature: number;
  /** Multiplies the gradient (a loss weight; 0 trains without this term). Default 1. */
  scale?: number;
  /** Add the gradients into da/db instead of overwriting them. */
  accumulate?: boolean;
  offsetA?: number;
  offsetB?: number;
  offsetDA?: number;
  offsetDB?: number;
  /** Where in `loss` the mean loss is written. */
  lossIndex?: number;
}

export interface NtXentBuffers {
  a: GPUBuffer; // [B, D] (at offsetA)
  b: GPUBuffer; // [B, D] (at offsetB)
  loss: GPUBuffer; // f32, loss[lossIndex] receives the mean over 2B anchors
  da: GPUBuffer; // [B, D] (at offsetDA), gradient of scale·loss wrt a
  db: GPUBuffer; // [B, D] (at offsetDB); may be the same buffer as da
}

export interface NtXentOp {
  /** Forward and backward in one go: loss, then da and db. */
  encode(enc: GPUCommandEncoder): void;
  /** Bytes of scratch the plan allocated. */
  readonly scratchBytes: number;
  destroy(): void;
}

/** Plans the fused NT-Xent loss and its gradient for a batch of B positive pairs. */
export async function planNtXent(ctx: GpuContext, s: NtXentShape, bufs: NtXentBuffers): Promise<NtXentOp> {
  if (s.B < 2)
    throw new Error('NT-Xent needs at least 2 pairs (B ≥ 2): with one pair there are no negatives');
  const R = 2 * s.B;
  checkBufferSize(ctx.limits, R * R * 4, 'the NT-Xent similarity matrix', 'the batch size');
  const wgs = Math.ceil((R * s.D) / 64);
  checkLimit(
    ctx.limits,
    'maxComputeWorkgroupsPerDimension',
    wgs,
    'NT-Xent over 2B×D values',
    'the batch size',
  );
  const mk = (name: string, bytes: number) =>
    ctx.device.createBuffer({
      label: `ntxent.${name}`,
      size: Math.max(16, bytes),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
  const u = mk('u', R * s.D * 4); // [2B, D]
  const norms = mk('norms', R * 4); // [2B]
  const S = mk('S', R * R * 4); // [2B, 2B]
  const rowLoss = mk('rowLoss', R * 4); // [2B]
  const dU = mk('dU', R * s.D * 4); // [2B, D]
  const scratch = [u, norms, S, rowLoss, dU];
  const params = createParams(ctx, 'ntxent.params', [
    ['u32', s.B],
    ['u32', s.D],
    ['f32', 1 / s.temperature],
    ['f32', s.scale ?? 1],
    ['u32', s.offsetA ?? 0],
    ['u32', s.offsetB ?? 0],
    ['u32', s.offsetDA ?? 0],
    ['u32', s.offsetDB ?? 0],
    ['u32', s.accumulate ? 1 : 0],
    ['u32', s.lossIndex ?? 0],
    ['u32', 0],
    ['u32', 0],
  ]);
  const all: Record<number, GPUBuffer> = {
    0: bufs.a,
    1: bufs.b,
    2: u,
    3: norms,
    4: S,
    5: rowLoss,
    6: dU,
    7: bufs.loss,
    9: params.buffer,
  };
  // Each entry point's 'auto' layout holds only the bindings it uses.
  const stage = async (
    entry: string,
    uses: number[],
    groups: [number, number, number],
    extra?: [number, GPUBuffer],
  ) => {
    const pipeline = await ctx.pipelines.compute(
      ntxentWgsl,
      entry,
      extra ? { HALF: extra[0] } : {},
      'ntxent',
    );
    const entries = uses.map((binding) => ({
      binding,
      resource: { buffer: binding === 8 ? extra![1] : all[binding]! },
    }));
    const bind = ctx.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    return (enc: GPUCommandEncoder) => encodePass(enc, pipeline, bind, groups, `ntxent.${entry}`);
  };
  const rows = [Math.ceil(R / 64), 1, 1] as [number, number, number];
  const half = [Math.ceil((s.B * s.D) / 64), 1, 1] as [number, number, number];
  const stages = [
    await stage('normalize_rows', [0, 1, 2, 3, 9], rows),
    await stage('similarity', [2, 4, 9], [Math.ceil(R / 16), Math.ceil(R / 16), 1]),
    await stage('row_softmax', [4, 5, 9], rows),
    await stage('mean_loss', [5, 7, 9], [1, 1, 1]),
    await stage('grad_u', [2, 4, 6, 9], [wgs, 1, 1]),
    await stage('grad_z', [2, 3, 6, 9], rows),
    await stage('emit_grad', [6, 8, 9], half, [0, bufs.da]),
    await stage('emit_grad', [6, 8, 9], half, [1, bufs.db]),
  ];
  return {
    encode: (enc) => {
      for (const st of stages) st(enc);
    },
    scratchBytes: scratch.reduce((t, b) => t + b.size, 0),
    destroy: () => {
      for (const b of scratch) b.destroy();
      params.buffer.destroy();
    },
  };
}
