import { analysesBench } from './analyses.bench';
import { encoderBench } from './encoder.bench';
import { COMPARE_SECTIONS, compareSuite } from './compare/index';
import { setupNodeWebgpu } from './compare/node-setup';
import { adamKernelSection, kernelsSuite } from './kernels';
import { matmulBench } from './matmul.bench';
import { trainBench } from './train.bench';
import type { BenchSuite } from './suite';

export type { BenchSuite } from './suite';

/** Every suite `crosspoint bench <name>` can run. */
export const SUITES: Record<string, BenchSuite> = {
  kernels: kernelsSuite,
  adam: adamKernelSection,
  matmul: matmulBench,
  encoder: encoderBench,
  train: trainBench,
  analyses: analysesBench,
  compare: compareSuite(setupNodeWebgpu),
  ...Object.fromEntries(
    Object.keys(COMPARE_SECTIONS).map((s) => [`compare-${s}`, compareSuite(setupNodeWebgpu, [s])]),
  ),
};
