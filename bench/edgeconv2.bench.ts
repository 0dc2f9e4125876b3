import { BufferArena } from '../src/gpu/arena';
import { createBufferFrom, readF32, submitAndWait } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { formatBytes } from '../src/gpu/errors';
import { GpuTimer, medianTime } from '../src/gpu/timer';
import { planActivation } from '../src/kernels/activation';
import { planBatchNorm } from '../src/kernels/batchnorm';
import type { BnMode } from '../src/kernels/edgeconv-dims';
import { knnIdx } from '../src/kernels/edgeconv.fixtures';
import { planEdgeGather } from '../src/kernels/edge_gather';
import { type EdgeConv2Shape, planEdgeConv2 } from '../src/kernels/edgeconv2';
import { planPooling } from '../src/kernels/pooling';
import { planConv1x1 } from '../src/nn/conv1x1';
import { Rng } from '../src/util/random';

/** DGCNN_partseg's conv3 + conv4 (64-wide input → 64 → 64), small. */
export const EDGECONV2_BENCH_DIMS: EdgeConv2Shape = { B: 4, N: 512, k: 20, C: 64, Cmid: 64, Cout: 64 };
/** bench --quick. */
export const EDGECONV2_QUICK_DIMS: EdgeConv2Shape = { B: 2, N: 128, k: 10, C: 16, Cmid: 16, Cout: 16 };

interface Planned {
  /** Bytes the path allocates besides the caller's buffers. */
  bytes: number;
  forward(enc: GPUCommandEncoder, mode: BnMode): void;
  backward(enc: GPUCommandEncoder, mode: BnMode): void;
  destroy(): void;
}

type Bufs = Record<string, GPUBuffer>;

/** The fused two-conv op (shaders/edgeconv2.wgsl). */
async function planFused(ctx: GpuContext, d: EdgeConv2Shape, b: Bufs): Promise<Planned> {
  const op = await planEdgeConv2(ctx, d, {
    x: b.x!,
    idx: b.idx!,
    weight1: b.w1!,
    gamma1: b.g1!,
    beta1: b.b1!,
    runningMean1: b.rm1!,
    runningVar1: b.rv1!,
    weight2: b.w2!,
    gamma2: b.g2!,
    beta2: b.b2!,
    runningMean2: b.rm2!,
    runningVar2: b.rv2!,
    y: b.y!,
    argslot: b.arg!,
    dy: b.dy,
    dx: b.dx,
    dWeight1: b.dw1,
    dGamma1: b.dg1,
    dBeta1: b.db1,
    dWeight2: b.dw2,
    dGamma2: b.dg2,
    dBeta2: b.db2,
  });
  return {
    bytes: op.bytes,
    forward: (enc, mode) => op.encodeForward(enc, mode),
    backward: (enc, mode) => op.encodeBackward(enc, mode),
    destroy: () => op.destroy(),
  };
}

/**
 * The gather path DGCNN_partseg used before: the edge tensor E [B, 2C, N·k] (edge_gather.wgsl),
 * two 1×1 convs over the N·k columns with BatchNorm and LeakyReLU, max over k (pooling), every
 * per-edge tensor materialised, forward and backward.
 */
async function planGather(ctx: GpuContext, d: EdgeConv2Shape, b: Bufs): Promise<Planned> {
  const { B, N, k, C, Cmid: M, Cout: O } = d;
  const L = N * k;
  const arena = new BufferArena(ctx);
  const f = (name: string, n: number) => arena.alloc(`gather.${name}`, 4 * n, 'activations');
  const E = f('E', B * 2 * C * L);
  const dE = f('dE', B * 2 * C * L);
  const z0 = f('z0', B * M * L);
  const a0 = f('a0', B * M * L);
  const z1 = f('z1', B * O * L);
  const a1 = f('a1', B * O * L);
  const X = f('X', B * Math.max(M, O) * L);
  const Y = f('Y', B * Math.max(M, O) * L);
  const gather = await planEdgeGather(
    ctx,
    { B, N, k, C },
    { x: b.x!, idx: b.idx!, E, dE, dx: b.dx },
    arena,
    'g',
  );
  const stage = async (
    x: GPUBuffer,
    dx: GPUBuffer,
    Cin: number,
    Cout: number,
    w: string,
    bn: string,
    z: GPUBuffer,
    a: GPUBuffer,
  ) => {
    const conv = await planConv1x1(
      ctx,
      { B, Cin, Cout, N: L },
      { x, w: b[w]!, y: z, dy: Y, dx, dw: b[`d${w}`] },
    );
    const norm = await planBatchNorm(
      ctx,
      { B, C: Cout, L },
      {
        x: z,
        y: a,
        gamma: b[`g${bn}`]!,
        beta: b[`b${bn}`]!,
        runningMean: b[`rm${bn}`]!,
        runningVar: b[`rv${bn}`]!,
        dy: X,
        dx: Y,
        dgamma: b[`dg${bn}`],
        dbeta: b[`db${bn}`],
      },
    );
    const act = await planActivation(
      ctx,
      { n: B * Cout * L, kind: 'leaky_relu', slope: 0.2 },
      { x: a, y: a, dy: X, dx: X },
    );
    return { conv, norm, act };
  };
  const s1 = await stage(E, dE, 2 * C, M, 'w1', '1', z0, a0);
  const s2 = await stage(a0, X, M, O, 'w2', '2', z1, a1);
  const pool = await planPooling(
    ctx,
    { B: 1, C: B * O * N, N: k, mode: 'max' },
    { x: a1, out: b.y!, arg: b.arg!, dout: b.dy, dx: X },
  );
  const stages = [s1, s2];
  return {
    bytes: arena.totalBytes,
    forward(enc, mode) {
      gather.encodeForward(enc);
      for (const s of stages) {
        s.conv.encodeForward(enc);
        s.norm.encodeForward(enc, mode);
        s.act.encodeForward(enc);
      }
      pool.encodeForward(enc);
    },
    backward(enc, mode) {
      pool.encodeBackward(enc);
      for (const s of [s2, s1]) {
        s.act.encodeBackward(enc);
        s.norm.encodeBackward(enc, mode);
        s.conv.encodeBackward(enc);
      }
      gather.encodeBackward(enc);
    },
    destroy() {
      for (const s of stages) for (const o of [s.conv, s.norm, s.act]) o.destroy();
      pool.destroy();
      gather.destroy();
      arena.destroy();
    },
  };
}

/**
 * The fused two-conv EdgeConv against the gather path (materialised edge tensors, generic
 * kernels): training-mode forward, forward + backward, median GPU time, and peak bytes (the
 * path's own allocations plus the caller's buffers, the same for both). One row per path and a
 * ratio row; the rows join the edgeconv section.
 */
export async function edgeconv2Section(
  ctx: GpuContext,
  report: (row: Record<string, unknown>) => void,
  options: { dims?: EdgeConv2Shape; runs?: number; warmup?: number } = {},
): Promise<void> {
  const d = options.dims ?? EDGECONV2_BENCH_DIMS;
  const runs = options.runs ?? 3;
  const warmup = options.warmup ?? 1;
  const { B, N, k, C, Cmid: M, Cout: O } = d;
  const rng = new Rng(2026);
  const x = rng.uniformArray(B * C * N, -1, 1);
  const xyz = new Float32Array(B * 3 * N);
  for (let b = 0; b < B; b++) xyz.set(x.subarray(b * C * N, b * C * N + 3 * N), b * 3 * N);
  const host: Record<string, Float32Array | Int32Array> = {
    x,
    idx: knnIdx(xyz, B, 3, N, k),
    w1: rng.uniformArray(M * 2 * C, -0.3, 0.3),
    g1: Float32Array.from({ length: M }, (_, c) => (c % 4 === 1 ? -1 : 1)),
    b1: rng.uniformArray(M, -0.1, 0.1),
    rm1: new Float32Array(M),
    rv1: new Float32Array(M).fill(1),
    w2: rng.uniformArray(O * M, -0.3, 0.3),
    g2: Float32Array.from({ length: O }, (_, c) => (c % 4 === 2 ? -1 : 1)),
    b2: rng.uniformArray(O, -0.1, 0.1),
    rm2: new Float32Array(O),
    rv2: new Float32Array(O).fill(1),
    y: new Float32Array(B * O * N),
    arg: new Int32Array(B * O * N),
    dy: rng.uniformArray(B * O * N, -1, 1),
    dx: new Float32Array(B * C * N),
    dw1: new Float32Array(M * 2 * C),
    dg1: new Float32Array(M),
    db1: new Float32Array(M),
    dw2: new Float32Array(O * M),
    dg2: new Float32Array(O),
    db2: new Float32Array(O),
  };
  const results: Record<
    string,
    { fwdMs: number; stepMs: number; bytes: number; io: number; y: Float32Array }
  > = {};
  for (const [name, planner] of [
    ['two-conv fused', planFused],
    ['two-conv gather', planGather],
  ] as const) {
    const bufs: Bufs = {};
    for (const [key, v] of Object.entries(host)) bufs[key] = createBufferFrom(ctx, v, key);
    const io = Object.values(bufs).reduce((a, b) => a + b.size, 0);
    let op: Planned | undefined;
    try {
      op = await planner(ctx, d, bufs);
      const plan = op;
      const timer = new GpuTimer(ctx);
      const fwd = await medianTime(timer, (enc) => plan.forward(enc, 'train'), runs, warmup);
      const step = await medianTime(
        timer,
        (enc) => {
          plan.forward(enc, 'train');
          plan.backward(enc, 'train');
        },
        runs,
        warmup,
      );
      timer.destroy();
      await submitAndWait(ctx, (enc) => plan.forward(enc, 'eval'));
      const y = await readF32(ctx, bufs.y!, B * O * N);
      results[name] = { fwdMs: fwd.ms, stepMs: step.ms, bytes: plan.bytes, io, y };
      report({
        section: 'edgeconv',
        name,
        ...d,
        timing: step.method,
        forwardMs: round(fwd.ms),
        forwardBackwardMs: round(step.ms),
        planBytes: plan.bytes,
        ioBytes: io,
        peakBytes: plan.bytes + io,
        peak: formatBytes(plan.bytes + io),
      });
    } catch (e) {
      report({
        section: 'edgeconv',
        name,
        ...d,
        planBytes: op?.bytes,
        error: String((e as Error).message || e),
      });
    } finally {
      op?.destroy();
      for (const b of Object.values(bufs)) b.destroy();
    }
  }
  const f = results['two-conv fused'];
  const g = results['two-conv gather'];
  if (f && g) {
    let maxDiff = 0;
    for (let t = 0; t < f.y.length; t++) maxDiff = Math.max(maxDiff, Math.abs(f.y[t]! - g.y[t]!));
    const row = {
      section: 'edgeconv',
      name: 'two-conv gather / fused',
      ...d,
      ratioForwardTime: round(g.fwdMs / f.fwdMs),
      ratioForwardBackwardTime: round(g.stepMs / f.stepMs),
      ratioPeakBytes: round((g.bytes + g.io) / (f.bytes + f.io)),
      ratioPlanBytes: round(g.bytes / f.bytes),
      maxAbsDiffY: maxDiff,
    };
    report(row);
    console.error(
      `edgeconv two-conv B=${B} N=${N} k=${k} C=${C}→${M}→${O}: fused ${round(f.stepMs)} ms, ` +
        `${formatBytes(f.bytes + f.io)} peak; gather ${round(g.stepMs)} ms, ${formatBytes(g.bytes + g.io)} peak; ` +
        `gather/fused time ×${row.ratioForwardBackwardTime}, peak bytes ×${row.ratioPeakBytes}`,
    );
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
