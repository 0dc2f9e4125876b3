import { matmulBench } from './matmul.bench';
import type { BenchSuite } from './suite';

/** The sections of the "kernels" suite, run in order. Add a kernel's section here. */
export const KERNEL_SECTIONS: BenchSuite[] = [matmulBench];

export const kernelsSuite: BenchSuite = async (ctx, report) => {
  for (const section of KERNEL_SECTIONS) await section(ctx, report);
};
