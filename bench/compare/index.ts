import type { GpuContext } from '../../src/gpu/context';
import type { BenchReport } from '../report';
import type { BenchSuite } from '../suite';
import { edgeconvCompare } from './edgeconv.compare';
import { encoderCompare } from './encoder.compare';
import { JAX_JS_RANGE } from './jax';
import { knnCompare } from './knn.compare';
import { matmulCompare } from './matmul.compare';
import { runtimeVersions } from './runtimes';
import { trainStepCompare } from './train.compare';
import { trainStepFullCompare } from './train-step.compare';

/** The sections of the side-by-side comparison, in the order they run. */
export const COMPARE_SECTIONS: Record<string, BenchSuite> = {
  matmul: matmulCompare,
  encoder: encoderCompare,
  train: trainStepCompare,
  'train-step': trainStepFullCompare,
  knn: knnCompare,
  edgeconv: edgeconvCompare,
};

/**
 * Ours against onnxruntime-web (WebGPU, WASM), TensorFlow.js (WebGPU) and jax-js (WebGPU, Wasm;
 * matmul, knn, edgeconv and the full training step) on the same work, in one
 * process on one adapter. `setup` prepares the host first (in Node: navigator.gpu from dawn.node;
 * in a page there is nothing to do). `only` picks sections by name.
 */
export function compareSuite(setup?: () => Promise<void>, only?: readonly string[]): BenchSuite {
  return async (ctx: GpuContext, report: BenchReport) => {
    await setup?.();
    report.note(`runtimes: ${JSON.stringify({ ...(await runtimeVersions()), '@jax-js/jax': JAX_JS_RANGE })}`);
    report.note('ratios are our time over theirs (below 1: ours is faster); every time is wall clock');
    for (const [name, section] of Object.entries(COMPARE_SECTIONS)) {
      if (only && !only.includes(name)) continue;
      await section(ctx, report);
    }
  };
}
