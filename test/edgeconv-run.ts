import { createBufferFrom, readF32, readI32, submitAndWait } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import type { EdgeConvBuffers, EdgeConvOp, EdgeConvShape } from '../src/kernels/edgeconv-shape';
import type { EdgeConvCase } from '../src/kernels/edgeconv.fixtures';
import type { BnMode, EdgeConvDims } from '../src/kernels/edgeconv-dims';

// Runs an EdgeConv plan (fused or naive) once on host data, for the tests: uploads the inputs,
// optionally inside bigger channel-sliced buffers, records forward (and backward), reads back.

export type EdgeConvPlanner = (
  ctx: GpuContext,
  s: EdgeConvShape,
  bufs: EdgeConvBuffers,
) => Promise<EdgeConvOp>;

/** Where x / dx and y / dy sit: channel `ch0` of a [B, ch, N] buffer. */
export interface SliceLayout {
  inChannels: number;
  inChannel0: number;
  outChannels: number;
  outChannel0: number;
  accumulateDx?: boolean;
}

export interface EdgeConvRunResult {
  y: Float32Array; // [B, Cout, N], extracted from the slice
  yFull: Float32Array; // the whole output buffer
  arg: Int32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
  stats: Float32Array; // [Cout, 8]
  dx?: Float32Array; // [B, C, N], extracted
  dxFull?: Float32Array;
  dWeight?: Float32Array;
  dGamma?: Float32Array;
  dBeta?: Float32Array;
  bytes: number;
}

/** Embeds dense [B, ch, N] into a [B, total, N] buffer at channel ch0 (others from `fill`). */
export function embed(
  dense: ArrayLike<number>,
  B: number,
  ch: number,
  N: number,
  total: number,
  ch0: number,
  fill: Float32Array,
) {
  const out = Float32Array.from(fill);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < ch; c++) {
      for (let n = 0; n < N; n++) out[(b * total + ch0 + c) * N + n] = dense[(b * ch + c) * N + n]!;
    }
  }
  return out;
}

export function extract(
  full: ArrayLike<number>,
  B: number,
  ch: number,
  N: number,
  total: number,
  ch0: number,
) {
  const out = new Float32Array(B * ch * N);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < ch; c++) {
      for (let n = 0; n < N; n++) out[(b * ch + c) * N + n] = full[(b * total + ch0 + c) * N + n]!;
    }
  }
  return out;
}

export interface RunOptions {
  mode: BnMode;
  backward?: boolean;
  layout?: SliceLayout;
  /** Initial contents of the whole y and dx buffers (default: a constant marker). */
  yInit?: Float32Array;
  dxInit?: Float32Array;
  /** Run forward+backward this many times on freshly re-uploaded state; returns the last. */
  repeats?: number;
}

export const MARKER = 12345.5;

export async function runEdgeConv(
  ctx: GpuContext,
  plan: EdgeConvPlanner,
  d: EdgeConvDims,
  c: EdgeConvCase,
  opt: RunOptions,
): Promise<EdgeConvRunResult[]> {
  const { B, N, C, Cout: O } = d;
  const L = opt.layout ?? { inChannels: C, inChannel0: 0, outChannels: O, outChannel0: 0 };
  const xLen = B * L.inChannels * N;
  const yLen = B * L.outChannels * N;
  const xFull = embed(c.inputs.x, B, C, N, L.inChannels, L.inChannel0, new Float32Array(xLen).fill(MARKER));
  const dyFull = embed(c.dy, B, O, N, L.outChannels, L.outChannel0, new Float32Array(yLen).fill(MARKER));
  const yInit = opt.yInit ?? new Float32Array(yLen).fill(MARKER);
  const dxInit = opt.dxInit ?? new Float32Array(xLen).fill(MARKER);
  const i = c.inputs;
  const bufs = {
    x: createBufferFrom(ctx, xFull, 'x'),
    idx: createBufferFrom(ctx, i.idx, 'idx'),
    weight: createBufferFrom(ctx, i.weight, 'weight'),
    gamma: createBufferFrom(ctx, i.gamma, 'gamma'),
    beta: createBufferFrom(ctx, i.beta, 'beta'),
    runningMean: createBufferFrom(ctx, i.runningMean, 'rm'),
    runningVar: createBufferFrom(ctx, i.runningVar, 'rv'),
    y: createBufferFrom(ctx, yInit, 'y'),
    argslot: createBufferFrom(ctx, new Int32Array(B * O * N).fill(-7), 'arg'),
    ...(opt.backward
      ? {
          dy: createBufferFrom(ctx, dyFull, 'dy'),
          dx: createBufferFrom(ctx, dxInit, 'dx'),
          dWeight: createBufferFrom(ctx, new Float32Array(O * 2 * C).fill(MARKER), 'dW'),
          dGamma: createBufferFrom(ctx, new Float32Array(O).fill(MARKER), 'dg'),
          dBeta: createBufferFrom(ctx, new Float32Array(O).fill(MARKER), 'db'),
        }
      : {}),
  } satisfies EdgeConvBuffers;
  const shape: EdgeConvShape = {
    ...d,
    inOffset: L.inChannel0 * N,
    inBatchStride: L.inChannels * N,
    outOffset: L.outChannel0 * N,
    outBatchStride: L.outChannels * N,
    accumulateDx: L.accumulateDx,
  };
  const op = await plan(ctx, shape, bufs);
  const results: EdgeConvRunResult[] = [];
  for (let r = 0; r < (opt.repeats ?? 1); r++) {
    if (r > 0) {
      ctx.device.queue.writeBuffer(bufs.runningMean, 0, i.runningMean);
      ctx.device.queue.writeBuffer(bufs.runningVar, 0, i.runningVar);
      ctx.device.queue.writeBuffer(bufs.y, 0, yInit);
      if (bufs.dx) ctx.device.queue.writeBuffer(bufs.dx, 0, dxInit);
    }
    await submitAndWait(ctx, (enc) => {
      op.encodeForward(enc, opt.mode);
      if (opt.backward) op.encodeBackward(enc, opt.mode);
    });
    const yFull = await readF32(ctx, bufs.y, yLen);
    const res: EdgeConvRunResult = {
      y: extract(yFull, B, O, N, L.outChannels, L.outChannel0),
      yFull,
      arg: await readI32(ctx, bufs.argslot, B * O * N),
      runningMean: await readF32(ctx, bufs.runningMean, O),
      runningVar: await readF32(ctx, bufs.runningVar, O),
      stats: await readF32(ctx, op.stats, O * 8),
      bytes: op.bytes,
    };
    if (bufs.dx) {
      res.dxFull = await readF32(ctx, bufs.dx, xLen);
      res.dx = extract(res.dxFull, B, C, N, L.inChannels, L.inChannel0);
      res.dWeight = await readF32(ctx, bufs.dWeight!, O * 2 * C);
      res.dGamma = await readF32(ctx, bufs.dGamma!, O);
      res.dBeta = await readF32(ctx, bufs.dBeta!, O);
    }
    results.push(res);
  }
  op.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return results;
}
