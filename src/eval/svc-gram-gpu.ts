/**
 * The SVC's linear kernel K = X Xᵀ computed with the engine's matmul kernel, in row blocks so the
 * output block fits one storage binding. float32 products and sums (the CPU path sums in float64
 * and rounds once): entries differ by about 1e-6 relative, far below what moves an SVC solution
 * of tolerance 1e-3. The diagonal stays float64 from the CPU, as libsvm keeps it.
 */
import { createBufferFrom, createStorageBuffer, readF32, submitAndWait } from '../gpu/buffers';
import type { GpuContext } from '../gpu/context';
import { checkBufferSize, maxBufferBytes } from '../gpu/limits';
import { planMatmul } from '../kernels/matmul';
import { kernelFromGram, type LinearKernel } from './svc';

export async function linearKernelGpu(
  ctx: GpuContext,
  x: Float32Array | Float64Array,
  n: number,
  d: number,
  opts: { maxRows?: number } = {},
): Promise<LinearKernel> {
  if (x.length !== n * d) throw new Error(`linearKernelGpu: expected [${n}, ${d}], got ${x.length} values`);
  checkBufferSize(ctx.limits, n * d * 4, 'the SVC features', 'the number of training samples');
  // Rows per block: as many as one [rows, n] output binding holds.
  const fit = Math.max(1, Math.floor(maxBufferBytes(ctx.limits) / (n * 4)));
  const R = Math.min(n, fit, opts.maxRows ?? n);
  const bx = createBufferFrom(ctx, x instanceof Float32Array ? x : Float32Array.from(x), 'svc.x'); // [n, d]
  const bc = createStorageBuffer(ctx, R * n * 4, 'svc.gram-block'); // [R, n]
  const gram = new Float32Array(n * n); // [n, n]
  try {
    for (let r0 = 0; r0 < n; r0 += R) {
      const rows = Math.min(R, n - r0);
      const op = await planMatmul(
        ctx,
        { batch: 1, M: rows, N: n, K: d, transB: true, offsetA: r0 * d },
        { a: bx, b: bx, c: bc },
      );
      try {
        await submitAndWait(ctx, (enc) => op.encode(enc));
      } finally {
        op.destroy();
      }
      gram.set(await readF32(ctx, bc, rows * n), r0 * n);
    }
  } finally {
    bx.destroy();
    bc.destroy();
  }
  // libsvm's Q is exactly symmetric: keep the lower triangle.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) gram[j * n + i] = gram[i * n + j]!;
  const diag = new Float64Array(n); // [n]
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += x[i * d + k]! * x[i * d + k]!;
    diag[i] = s;
  }
  return kernelFromGram(gram, n, diag);
}
