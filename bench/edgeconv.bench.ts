import { formatBytes } from '../src/gpu/errors';
import type { GpuContext } from '../src/gpu/context';
import { createBufferFrom, readF32, submitAndWait } from '../src/gpu/buffers';
import { GpuTimer, medianTime } from '../src/gpu/timer';
import { type EdgeConvBuffers, type EdgeConvOp, planEdgeConv } from '../src/kernels/edgeconv';
import { knnIdx, makeEdgeConvCase } from '../src/kernels/edgeconv.fixtures';
import type { EdgeConvDims } from '../src/kernels/edgeconv-dims';
import { planEdgeConvNaive } from '../src/kernels/edgeconv_naive';

/** DGCNN's EdgeConv 2 at the "small" preset. */
export const EDGECONV_BENCH_DIMS: EdgeConvDims = { B: 8, N: 1024, k: 20, C: 64, Cout: 64 };
/** The same layer shape, small (bench --quick). */
export const EDGECONV_QUICK_DIMS: EdgeConvDims = { B: 2, N: 128, k: 10, C: 16, Cout: 16 };

/**
 * Fused EdgeConv (no edge tensor) against the naive edge-tensor formulation: training-mode
 * forward, and forward + backward, median GPU time, and peak bytes (the plan's scratch plus the
 * caller's buffers, which are the same for both). Reports one case per implementation and a ratio.
 */
export async function edgeconvSection(
  ctx: GpuContext,
  report: (caseObj: Record<string, unknown>) => void,
  options: { dims?: EdgeConvDims; runs?: number; warmup?: number } = {},
): Promise<void> {
  const dims = options.dims ?? EDGECONV_BENCH_DIMS;
  const runs = options.runs ?? 3;
  const warmup = options.warmup ?? 1;
  const { B, N, k, C, Cout: O } = dims;
  const data = makeEdgeConvCase(dims, 2024, { randomIdx: true, negativeGamma: [1, 5] });
  // A geometric graph, as DGCNN's first layer builds: kNN on three of the channels.
  const xyz = new Float32Array(B * 3 * N);
  for (let b = 0; b < B; b++) xyz.set(data.inputs.x.subarray(b * C * N, b * C * N + 3 * N), b * 3 * N);
  data.inputs.idx = knnIdx(xyz, B, 3, N, k);

  const results: Record<
    string,
    { fwdMs: number; stepMs: number; planBytes: number; ioBytes: number; y: Float32Array }
  > = {};
  for (const [name, planner] of [
    ['fused', planEdgeConv],
    ['naive', planEdgeConvNaive],
  ] as const) {
    const i = data.inputs;
    const bufs = {
      x: createBufferFrom(ctx, i.x, 'x'),
      idx: createBufferFrom(ctx, i.idx, 'idx'),
      weight: createBufferFrom(ctx, i.weight, 'weight'),
      gamma: createBufferFrom(ctx, i.gamma, 'gamma'),
      beta: createBufferFrom(ctx, i.beta, 'beta'),
      runningMean: createBufferFrom(ctx, i.runningMean, 'rm'),
      runningVar: createBufferFrom(ctx, i.runningVar, 'rv'),
      y: createBufferFrom(ctx, new Float32Array(B * O * N), 'y'),
      argslot: createBufferFrom(ctx, new Int32Array(B * O * N), 'arg'),
      dy: createBufferFrom(ctx, data.dy, 'dy'),
      dx: createBufferFrom(ctx, new Float32Array(B * C * N), 'dx'),
      dWeight: createBufferFrom(ctx, new Float32Array(O * 2 * C), 'dW'),
      dGamma: createBufferFrom(ctx, new Float32Array(O), 'dg'),
      dBeta: createBufferFrom(ctx, new Float32Array(O), 'db'),
    } satisfies EdgeConvBuffers;
    const ioBytes = Object.values(bufs).reduce((a, b) => a + b.size, 0);
    let op: EdgeConvOp | undefined;
    try {
      op = await planner(ctx, dims, bufs);
      const plan = op;
      const timer = new GpuTimer(ctx);
      const fwd = await medianTime(timer, (enc) => plan.encodeForward(enc, 'train'), runs, warmup);
      const step = await medianTime(
        timer,
        (enc) => {
          plan.encodeForward(enc, 'train');
          plan.encodeBackward(enc, 'train');
        },
        runs,
        warmup,
      );
      timer.destroy();
      await submitAndWait(ctx, (enc) => plan.encodeForward(enc, 'eval'));
      const y = await readF32(ctx, bufs.y, B * O * N);
      results[name] = { fwdMs: fwd.ms, stepMs: step.ms, planBytes: plan.bytes, ioBytes, y };
      report({
        section: 'edgeconv',
        name,
        ...dims,
        timing: step.method,
        forwardMs: round(fwd.ms),
        forwardBackwardMs: round(step.ms),
        planBytes: plan.bytes,
        ioBytes,
        peakBytes: plan.bytes + ioBytes,
        peak: formatBytes(plan.bytes + ioBytes),
      });
    } catch (e) {
      // Timing can fail where planning did not (a lost device on a slow adapter): keep the bytes.
      const planBytes = op?.bytes;
      report({
        section: 'edgeconv',
        name,
        ...dims,
        planBytes,
        ioBytes,
        error: String((e as Error).message || e),
      });
    } finally {
      op?.destroy();
      for (const b of Object.values(bufs)) b.destroy();
    }
  }
  const f = results.fused;
  const n = results.naive;
  if (f && n) {
    let maxDiff = 0;
    for (let t = 0; t < f.y.length; t++) maxDiff = Math.max(maxDiff, Math.abs(f.y[t]! - n.y[t]!));
    const io = f.ioBytes;
    // ratio* fields are the table's ratio columns; > 1: the fused kernel is faster / smaller.
    const ratio = {
      section: 'edgeconv',
      name: 'naive / fused',
      ...dims,
      ratioForwardTime: round(n.fwdMs / f.fwdMs),
      ratioForwardBackwardTime: round(n.stepMs / f.stepMs),
      ratioPeakBytes: round((n.planBytes + io) / (f.planBytes + io)),
      ratioPlanBytes: round(n.planBytes / f.planBytes),
      maxAbsDiffY: maxDiff,
    };
    report(ratio);
    // For a human, on stderr: stdout stays one JSON object per line.
    console.error(
      `edgeconv B=${B} N=${N} k=${k} C=${C} Cout=${O}: fused ${round(f.stepMs)} ms, ` +
        `${formatBytes(f.planBytes + io)} peak; naive ${round(n.stepMs)} ms, ${formatBytes(n.planBytes + io)} peak; ` +
        `naive/fused time ×${ratio.ratioForwardBackwardTime}, peak bytes ×${ratio.ratioPeakBytes}`,
    );
  }
}

const round = (v: number) => Math.round(v * 100) / 100;
