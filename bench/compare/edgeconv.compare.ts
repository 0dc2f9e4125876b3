import { createBufferFrom, readF32, submitAndWait } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { type EdgeConvBuffers, planEdgeConv } from '../../src/kernels/edgeconv';
import { BN_EPS, type EdgeConvDims, LEAKY_SLOPE } from '../../src/kernels/edgeconv-dims';
import { knnIdx, makeEdgeConvCase } from '../../src/kernels/edgeconv.fixtures';
import { EDGECONV_BENCH_DIMS, EDGECONV_QUICK_DIMS } from '../edgeconv.bench';
import type { BenchReport } from '../report';
import { compareCase } from './contender';
import { type EdgeConvInputs, jaxEdgeConv } from './jax';
import { oursRunner } from './ours';
import { budgetFor } from './timing';

/**
 * One EdgeConv layer in training mode (DGCNN's EdgeConv 2: B 8 × 1024 points, k 20, 64 → 64
 * channels), forward alone and forward + backward: our fused kernel (no edge tensor) against
 * jax-js's natural formulation (gather, edge tensor, matmul, BN, LeakyReLU, max; `grad` under
 * `jit`). Both get the same points, neighbour lists (exact kNN on three channels), weights and
 * output cotangent. Peak bytes: ours is the plan's scratch plus the layer's buffers; jax-js's is
 * what its device held at most during the case.
 */
export async function edgeconvCompare(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick } = report.options;
  const dims: EdgeConvDims = quick ? EDGECONV_QUICK_DIMS : EDGECONV_BENCH_DIMS;
  const { B, N, k, C, Cout: O } = dims;
  const data = makeEdgeConvCase(dims, 2024);
  const xyz = new Float32Array(B * 3 * N);
  for (let b = 0; b < B; b++) xyz.set(data.inputs.x.subarray(b * C * N, b * C * N + 3 * N), b * 3 * N);
  const inp: EdgeConvInputs = { ...data.inputs, idx: knnIdx(xyz, B, 3, N, k), dy: data.dy };
  const bufs = {
    x: createBufferFrom(ctx, inp.x, 'cmp.ec.x'),
    idx: createBufferFrom(ctx, inp.idx, 'cmp.ec.idx'),
    weight: createBufferFrom(ctx, inp.weight, 'cmp.ec.w'),
    gamma: createBufferFrom(ctx, inp.gamma, 'cmp.ec.gamma'),
    beta: createBufferFrom(ctx, inp.beta, 'cmp.ec.beta'),
    runningMean: createBufferFrom(ctx, new Float32Array(O), 'cmp.ec.rm'),
    runningVar: createBufferFrom(ctx, new Float32Array(O).fill(1), 'cmp.ec.rv'),
    y: createBufferFrom(ctx, new Float32Array(B * O * N), 'cmp.ec.y'),
    argslot: createBufferFrom(ctx, new Int32Array(B * O * N), 'cmp.ec.arg'),
    dy: createBufferFrom(ctx, inp.dy, 'cmp.ec.dy'),
    dx: createBufferFrom(ctx, new Float32Array(B * C * N), 'cmp.ec.dx'),
    dWeight: createBufferFrom(ctx, new Float32Array(O * 2 * C), 'cmp.ec.dW'),
    dGamma: createBufferFrom(ctx, new Float32Array(O), 'cmp.ec.dg'),
    dBeta: createBufferFrom(ctx, new Float32Array(O), 'cmp.ec.db'),
  } satisfies EdgeConvBuffers;
  const op = await planEdgeConv(ctx, dims, bufs);
  try {
    const fwd = (e: GPUCommandEncoder) => op.encodeForward(e, 'train');
    const step = (e: GPUCommandEncoder) => {
      op.encodeForward(e, 'train');
      op.encodeBackward(e, 'train');
    };
    await submitAndWait(ctx, step);
    const ours = {
      y: await readF32(ctx, bufs.y, B * O * N),
      dx: await readF32(ctx, bufs.dx, B * C * N),
      dWeight: await readF32(ctx, bufs.dWeight, O * 2 * C),
    };
    const peak = op.bytes + Object.values(bufs).reduce((a, b) => a + b.size, 0);
    const name = `B=${B} N=${N} k=${k} C=${C} Cout=${O}`;
    for (const backward of [false, true]) {
      await compareCase(
        report,
        'compare edgeconv',
        `${backward ? 'forward+backward' : 'forward'} ${name}`,
        oursRunner(ctx, backward ? step : fwd),
        (['webgpu', 'wasm'] as const).map((d) =>
          jaxEdgeConv(d, dims, inp, ours, backward, BN_EPS, LEAKY_SLOPE),
        ),
        budgetFor(quick),
        { 'ours peak bytes': peak },
      );
    }
  } finally {
    op.destroy();
    for (const b of Object.values(bufs)) b.destroy();
  }
}
