import { kernelsSuite } from './kernels';
import { matmulBench } from './matmul.bench';
import type { BenchSuite } from './suite';

export type { BenchSuite } from './suite';

/** Every suite `crosspoint bench <name>` can run. */
export const SUITES: Record<string, BenchSuite> = {
  kernels: kernelsSuite,
  matmul: matmulBench,
};
