import { createBufferFrom, readU32, submitAndWait } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { maxBufferBytes } from '../src/gpu/limits';
import { GpuTimer, medianTime } from '../src/gpu/timer';
import { type KnnShape, planKnn } from '../src/kernels/knn';
import { Rng } from '../src/util/random';
import { naiveKnnMatrixBytes, planKnnNaive } from '../src/kernels/knn_naive';

/** One result row; bench/report.ts collects them. */
export type KnnReport = (caseObj: Record<string, unknown>) => void;

/** The full cases: the DGCNN "small" size on the widths the EdgeConvs see; quick: a small cloud. */
function knnCases(quick: boolean): KnnShape[] {
  if (quick) return [3, 64].map((C) => ({ B: 2, N: 256, C, k: 20 }));
  return [3, 64, 128].map((C) => ({ B: 8, N: 1024, C, k: 20 }));
}

/**
 * kNN at the DGCNN "small" size (B = 8, N = 1024, k = 20) on the widths the four EdgeConvs see:
 * the fused kernel (shaders/knn.wgsl) against the naive one that stores the B×N×N matrix
 * (shaders/knn_naive.wgsl), median of a few warm runs. Also counts queries whose neighbour lists
 * differ between the two (both use exact differences, so this should be 0).
 */
export async function knnSection(ctx: GpuContext, report: KnnReport, quick = false): Promise<void> {
  const timer = new GpuTimer(ctx);
  try {
    for (const s of knnCases(quick)) {
      const C = s.C;
      const x = createBufferFrom(ctx, new Rng(C).uniformArray(s.B * C * s.N, -1, 1), 'bench.knn.x');
      const fusedIdx = createBufferFrom(ctx, new Uint32Array(s.B * s.N * s.k), 'bench.knn.idx');
      const naiveIdx = createBufferFrom(ctx, new Uint32Array(s.B * s.N * s.k), 'bench.knn.naiveIdx');
      const fused = await planKnn(ctx, s, { x, idx: fusedIdx });
      const row: Record<string, unknown> = {
        section: 'knn',
        name: `knn B=${s.B} N=${s.N} k=${s.k} C=${C}`,
        ...s,
        splits: fused.splits,
      };
      const t = await medianTime(timer, (enc) => fused.encode(enc), 3, 1);
      row.ms = t.ms;
      row.method = t.method;
      const matrixBytes = naiveKnnMatrixBytes(s);
      if (matrixBytes <= maxBufferBytes(ctx.limits)) {
        const naive = await planKnnNaive(ctx, s, { x, idx: naiveIdx });
        const tn = await medianTime(timer, (enc) => naive.encode(enc), 3, 1);
        await submitAndWait(ctx, (enc) => naive.encode(enc));
        await submitAndWait(ctx, (enc) => fused.encode(enc));
        const a = await readU32(ctx, fusedIdx);
        const b = await readU32(ctx, naiveIdx);
        let differ = 0;
        for (let q = 0; q < s.B * s.N; q++) {
          for (let r = 0; r < s.k; r++) {
            if (a[q * s.k + r] !== b[q * s.k + r]) {
              differ++;
              break;
            }
          }
        }
        row.naiveMs = tn.ms;
        row.naiveMatrixBytes = matrixBytes;
        row.ratio = tn.ms / t.ms; // > 1: the fused kernel is faster
        row.queriesDiffering = differ;
        naive.destroy();
      }
      report(row);
      fused.destroy();
      for (const buf of [x, fusedIdx, naiveIdx]) buf.destroy();
    }
  } finally {
    timer.destroy();
  }
}
