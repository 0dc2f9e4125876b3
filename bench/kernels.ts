import { adamSection } from './adam.bench';
import { conv2dSection } from './conv2d.bench';
import { EDGECONV_BENCH_DIMS, EDGECONV_QUICK_DIMS, edgeconvSection } from './edgeconv.bench';
import { EDGECONV2_BENCH_DIMS, EDGECONV2_QUICK_DIMS, edgeconv2Section } from './edgeconv2.bench';
import { flatRowSection } from './flat-rows';
import { knnSection } from './knn.bench';
import { matmulBench } from './matmul.bench';
import type { BenchSuite } from './suite';

/** Per-tensor against multi-tensor Adam on the training step's tensors (also `crosspoint bench adam`). */
export const adamKernelSection: BenchSuite = flatRowSection('adam', (ctx, report, o) =>
  adamSection(ctx, report, o.quick),
);

/**
 * The sections of the "kernels" suite, run in order. Add a kernel's section here. Each compares
 * our kernel with its alternative (naive matmul, naive kNN, edge-tensor EdgeConv, the other conv2d
 * variant, per-tensor Adam); with --quick each runs small cases (a whole quick run takes well
 * under a minute on SwiftShader, the full suite over 15).
 */
export const KERNEL_SECTIONS: BenchSuite[] = [
  matmulBench,
  flatRowSection('knn', (ctx, report, o) => knnSection(ctx, report, o.quick)),
  flatRowSection('edgeconv', async (ctx, report, o) => {
    await edgeconvSection(ctx, report, { dims: o.quick ? EDGECONV_QUICK_DIMS : EDGECONV_BENCH_DIMS });
    await edgeconv2Section(ctx, report, { dims: o.quick ? EDGECONV2_QUICK_DIMS : EDGECONV2_BENCH_DIMS });
  }),
  flatRowSection('conv2d', (ctx, report, o) => conv2dSection(ctx, report, o.quick)),
  adamKernelSection,
];

export const kernelsSuite: BenchSuite = async (ctx, report) => {
  for (const section of KERNEL_SECTIONS) await section(ctx, report);
};
