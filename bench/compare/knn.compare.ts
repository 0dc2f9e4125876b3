import { buildKnnOnnx } from '../../src/export/onnx/bench-graphs';
import { createBufferFrom, readU32, submitAndWait } from '../../src/gpu/buffers';
import type { GpuContext } from '../../src/gpu/context';
import { planKnn } from '../../src/kernels/knn';
import { Rng } from '../../src/util/random';
import type { BenchReport } from '../report';
import { compareCase, type OrtOutputs, ortContender } from './contender';
import { jaxKnn } from './jax';
import { oursRunner } from './ours';
import { budgetFor } from './timing';

/** Queries whose neighbour list (k indices, in order) differs between two [B·N, k] index arrays. */
export function differingQueries(a: ArrayLike<number>, b: ArrayLike<number | bigint>, k: number): number {
  let n = 0;
  for (let q = 0; q < a.length / k; q++) {
    for (let s = 0; s < k; s++) {
      if (Number(b[q * k + s]!) !== a[q * k + s]!) {
        n++;
        break;
      }
    }
  }
  return n;
}

/**
 * kNN at the DGCNN sizes (B = 8 clouds of 1024 points, k = 20) on xyz and on 64-wide features:
 * our fused kernel against the same computation as ONNX (MatMul scores + TopK) in ORT and in jax-js
 * (matmul scores + its lax.topK under jit). The line
 * also counts queries whose neighbour lists differ from ours (near-ties: ORT's MatMul form rounds
 * differently from our exact differences).
 */
export async function knnCompare(ctx: GpuContext, report: BenchReport): Promise<void> {
  const { quick } = report.options;
  const B = quick ? 2 : 8;
  const N = Math.min(quick ? 128 : 1024, report.options.maxSize);
  const k = quick ? 10 : 20;
  for (const C of quick ? [3] : [3, 64]) {
    const data = new Rng(C + 100).uniformArray(B * C * N, -1, 1); // [B, C, N]
    const x = createBufferFrom(ctx, data, 'cmp.knn.x');
    const idx = createBufferFrom(ctx, new Uint32Array(B * N * k), 'cmp.knn.idx');
    const op = await planKnn(ctx, { B, N, C, k }, { x, idx });
    await submitAndWait(ctx, (e) => op.encode(e));
    const mine = await readU32(ctx, idx);
    const model = () => buildKnnOnnx(B, N, C, k);
    const inputs = () => ({ x: { data, dims: [B, C, N] } });
    const check = (out: OrtOutputs) => ({
      'queries differing': differingQueries(mine, out.idx as BigInt64Array, k),
    });
    await compareCase(
      report,
      'compare knn',
      `B=${B} N=${N} C=${C} k=${k}`,
      oursRunner(ctx, (e) => op.encode(e)),
      [
        ortContender('webgpu', model, inputs, check),
        ortContender('wasm', model, inputs, check),
        ...(['webgpu', 'wasm'] as const).map((d) =>
          jaxKnn(d, data, { B, N, C, k }, mine, (theirs) => differingQueries(mine, theirs, k)),
        ),
      ],
      budgetFor(quick),
      { splits: op.splits },
    );
    op.destroy();
    x.destroy();
    idx.destroy();
  }
}
