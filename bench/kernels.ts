import { conv2dSection } from './conv2d.bench';
import { flatRowSection } from './flat-rows';
import { knnSection } from './knn.bench';
import { matmulBench } from './matmul.bench';
import type { BenchSuite } from './suite';

/** The sections of the "kernels" suite, run in order. Add a kernel's section here. */
export const KERNEL_SECTIONS: BenchSuite[] = [
  matmulBench,
  flatRowSection('knn', knnSection),
  flatRowSection('conv2d', conv2dSection),
];

export const kernelsSuite: BenchSuite = async (ctx, report) => {
  for (const section of KERNEL_SECTIONS) await section(ctx, report);
};
