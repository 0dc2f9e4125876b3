import { readF32, submitAndWait, writeBuffer } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import type { EdgeConvBuffers, EdgeConvOp, EdgeConvShape } from '../src/kernels/edgeconv-shape';
import type { EdgeConvCase } from '../src/kernels/edgeconv.fixtures';
import type { BnMode, EdgeConvDims } from '../src/kernels/edgeconv-dims';
import { type HostBuffers, withBuffers } from './op-check';

// Runs an EdgeConv plan (fused or naive) once on host data, for the tests: uploads the inputs,
// optionally inside bigger channel-sliced buffers, records forward (and backward), reads back
// (test/op-check.ts's withBuffers owns the buffers).

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
  const data: HostBuffers = {
    x: xFull,
    idx: i.idx,
    weight: i.weight,
    gamma: i.gamma,
    beta: i.beta,
    runningMean: i.runningMean,
    runningVar: i.runningVar,
    y: yInit,
    argslot: new Int32Array(B * O * N).fill(-7),
    ...(opt.backward
      ? {
          dy: dyFull,
          dx: dxInit,
          dWeight: new Float32Array(O * 2 * C).fill(MARKER),
          dGamma: new Float32Array(O).fill(MARKER),
          dBeta: new Float32Array(O).fill(MARKER),
        }
      : {}),
  };
  const shape: EdgeConvShape = {
    ...d,
    inOffset: L.inChannel0 * N,
    inBatchStride: L.inChannels * N,
    outOffset: L.outChannel0 * N,
    outBatchStride: L.outChannels * N,
    accumulateDx: L.accumulateDx,
  };
  return withBuffers(ctx, data, async (bufs, read) => {
    const op = await plan(ctx, shape, {
      ...bufs,
      x: bufs.x!,
      idx: bufs.idx!,
      weight: bufs.weight!,
      gamma: bufs.gamma!,
      beta: bufs.beta!,
      runningMean: bufs.runningMean!,
      runningVar: bufs.runningVar!,
      y: bufs.y!,
      argslot: bufs.argslot!,
    });
    try {
      const results: EdgeConvRunResult[] = [];
      for (let r = 0; r < (opt.repeats ?? 1); r++) {
        if (r > 0) {
          // Fresh state: the running statistics, y and dx as uploaded.
          for (const name of ['runningMean', 'runningVar', 'y', 'dx'] as const)
            if (bufs[name]) writeBuffer(ctx, bufs[name], data[name]!);
        }
        await submitAndWait(ctx, (enc) => {
          op.encodeForward(enc, opt.mode);
          if (opt.backward) op.encodeBackward(enc, opt.mode);
        });
        const yFull = (await read('y')) as Float32Array;
        const res: EdgeConvRunResult = {
          y: extract(yFull, B, O, N, L.outChannels, L.outChannel0),
          yFull,
          arg: (await read('argslot')) as Int32Array,
          runningMean: (await read('runningMean')) as Float32Array,
          runningVar: (await read('runningVar')) as Float32Array,
          stats: await readF32(ctx, op.stats, O * 8),
          bytes: op.bytes,
        };
        if (opt.backward) {
          res.dxFull = (await read('dx')) as Float32Array;
          res.dx = extract(res.dxFull, B, C, N, L.inChannels, L.inChannel0);
          res.dWeight = (await read('dWeight')) as Float32Array;
          res.dGamma = (await read('dGamma')) as Float32Array;
          res.dBeta = (await read('dBeta')) as Float32Array;
        }
        results.push(res);
      }
      return results;
    } finally {
      op.destroy();
    }
  });
}
