import { buildMatmulOnnx } from '../../src/export/onnx/bench-graphs';
import { createBufferFrom, readF32, submitAndWait } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { planMatmul } from '../../src/kernels/matmul';
import { tuneMatmul } from '../../src/kernels/matmul-tune';
import { Rng } from '../../src/util/random';
import type { BenchReport } from '../report';
import { type Contender, compareCase, ortContender } from './contender';
import { jaxMatmul } from './jax';
import { oursRunner } from './ours';
import { loadTfWebgpu, tfFinish } from './runtimes';
import { budgetFor } from './timing';

/** Square sides of the comparison (the brief: 256 to 2048; --quick: small ones). */
export function matmulSides(quick: boolean, maxSize: number): number[] {
  return (quick ? [64, 128] : [256, 512, 1024, 2048]).filter((n) => n <= maxSize);
}

function tfMatmul(a: Float32Array, b: Float32Array, n: number): Contender {
  return {
    label: 'tfjs-webgpu',
    async prepare() {
      const loaded = await loadTfWebgpu();
      if (!loaded.ok) return loaded;
      const tf = loaded.value;
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      return {
        ok: true,
        value: {
          async run() {
            const c = tf.matMul(ta, tb);
            await tfFinish(tf);
            c.dispose();
          },
          release() {
            ta.dispose();
            tb.dispose();
          },
        },
      };
    },
  };
}

/**
 * C = A·B, n×n, f32: our tuned kernel against ORT (WebGPU, WASM), TF.js (WebGPU) and jax-js (WebGPU,
 * Wasm; its check compares C with ours).
 */
export async function matmulCompare(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick, maxSize } = report.options;
  const tune = await tuneMatmul(ctx);
  for (const n of matmulSides(quick, maxSize)) {
    const rng = new Rng(n);
    const a = rng.uniformArray(n * n);
    const b = rng.uniformArray(n * n);
    const bufs = {
      a: createBufferFrom(ctx, a, 'cmp.a'),
      b: createBufferFrom(ctx, b, 'cmp.b'),
      c: createBufferFrom(ctx, new Float32Array(n * n), 'cmp.c'),
    };
    const op = await planMatmul(ctx, { batch: 1, M: n, N: n, K: n }, bufs);
    const ours = oursRunner(ctx, (e) => op.encode(e));
    await submitAndWait(ctx, (e) => op.encode(e));
    const c = await readF32(ctx, bufs.c, n * n);
    const inputs = () => ({ a: { data: a, dims: [n, n] }, b: { data: b, dims: [n, n] } });
    const model = () => buildMatmulOnnx(n, n, n);
    await compareCase(
      report,
      'compare matmul',
      `${n}x${n}x${n}`,
      ours,
      [
        ortContender('webgpu', model, inputs),
        ortContender('wasm', model, inputs),
        tfMatmul(a, b, n),
        jaxMatmul('webgpu', a, b, n, c),
        jaxMatmul('wasm', a, b, n, c),
      ],
      budgetFor(quick),
      { variant: op.variant, tuned: tune.name },
      { label: 'GFLOP/s', amount: (2 * n * n * n) / 1e9 },
    );
    op.destroy();
    for (const buf of Object.values(bufs)) buf.destroy();
  }
}
