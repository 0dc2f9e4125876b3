import { createBufferFrom } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { GpuTimer } from '../src/gpu/timer';
import { type MatmulShape, planMatmul } from '../src/kernels/matmul';
import { tuneMatmul } from '../src/kernels/matmul-tune';
import { Rng } from '../src/util/random';
import { type Measured, measure } from './measure';
import type { BenchReport } from './report';

interface MatmulCase {
  name: string;
  shape: MatmulShape;
}

/** Square products, then the products of a DGCNN step (B clouds of N points); none with a side over maxSize. */
export function matmulCases(quick: boolean, maxSize: number): MatmulCase[] {
  const sizes = (quick ? [64, 128] : [128, 256, 512, 1024, 2048]).filter((n) => n <= maxSize);
  const B = quick ? 1 : 16;
  const N = quick ? 64 : 1024;
  const cases: MatmulCase[] = sizes.map((n) => ({
    name: `square ${n}`,
    shape: { batch: 1, M: n, N: n, K: n },
  }));
  // 1×1 convolutions: one weight matrix W [Cout, Cin] broadcast over the clouds X[b] [Cin, N].
  const conv = (cout: number, cin: number) => ({
    name: `conv W[${cout}x${cin}]·X[${cin}x${N}] x${B}`,
    shape: { batch: B, M: cout, N, K: cin, strideA: 0 },
  });
  cases.push(conv(64, 6), conv(64, 128), conv(1024, 512));
  // Linear: y [B, 1024] = x [B, 2048] · Wᵀ with W stored [1024, 2048] as in PyTorch.
  cases.push({ name: `linear 2048->1024 x${B}`, shape: { batch: 1, M: B, N: 1024, K: 2048, transB: true } });
  return cases.filter((c) => Math.max(c.shape.M, c.shape.N, c.shape.K) <= maxSize);
}

const flops = (s: MatmulShape) => 2 * s.batch * s.M * s.N * s.K;

/** GFLOP/s of the tuned kernel against the naive one, and the tuner's timings. */
export async function matmulBench(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick, maxSize } = report.options;
  const t0 = performance.now();
  const tune = await tuneMatmul(ctx);
  report.add({
    section: 'matmul tune',
    name: `${tune.method} ms per candidate`,
    figures: {
      variant: tune.name,
      ms: performance.now() - t0,
      ...Object.fromEntries(tune.timings.map((t) => [`${t.name} ms`, t.ms])),
    },
    ratios: {},
  });
  const timer = new GpuTimer(ctx);
  const budgetMs = quick ? 300 : 15_000;
  const maxRuns = quick ? 2 : 7;
  const rng = new Rng(1);
  try {
    for (const c of matmulCases(quick, maxSize)) {
      const s = c.shape;
      const len = (stride: number | undefined, size: number) => (stride ?? size) * (s.batch - 1) + size;
      const bufs = {
        a: createBufferFrom(ctx, rng.uniformArray(len(s.strideA, s.M * s.K)), 'bench.a'),
        b: createBufferFrom(ctx, rng.uniformArray(len(s.strideB, s.K * s.N)), 'bench.b'),
        c: createBufferFrom(ctx, new Float32Array(len(s.strideC, s.M * s.N)), 'bench.c'),
      };
      const run = async (variant?: { kernel: 'naive' }) => {
        const op = await planMatmul(ctx, s, bufs, { variant });
        report.note(`matmul ${c.name}: ${op.variant}...`);
        const t = await measure(timer, (enc) => op.encode(enc), budgetMs, maxRuns);
        op.destroy();
        return { t, label: op.variant };
      };
      const fast = await run();
      const naive = await run({ kernel: 'naive' });
      const gflops = (t: Measured) => flops(s) / (t.ms * 1e6);
      report.add({
        section: 'matmul',
        name: c.name,
        figures: {
          variant: fast.label,
          'GFLOP/s': gflops(fast.t),
          'naive GFLOP/s': gflops(naive.t),
          ms: fast.t.ms,
          'naive ms': naive.t.ms,
          runs: fast.t.runs,
          'naive runs': naive.t.runs,
          timing: fast.t.method,
        },
        ratios: { 'blocked/naive': naive.t.ms / fast.t.ms },
      });
      for (const b of Object.values(bufs)) b.destroy();
    }
  } finally {
    timer.destroy();
  }
}
