import { describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { Rng } from '../util/random';
import { fitSVC, linearKernelCpu } from './svc';
import { linearKernelGpu } from './svc-gram-gpu';

const gpu = setupGpu();

function features(seed: number, n: number, d: number) {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n * d }, () => rng.normal(0.3, 1));
}

describe('linearKernelGpu', () => {
  // Awkward shapes: 1, primes, non-multiples of the tile, a 2048-d feature, blocks of a few rows.
  const shapes: [number, number, number | undefined][] = [
    [1, 1, undefined],
    [7, 3, undefined],
    [33, 2048, undefined],
    [130, 67, 17],
    [65, 5, 1],
  ];
  for (const [n, d, maxRows] of shapes) {
    it(`matches the CPU kernel for n = ${n}, d = ${d}${maxRows ? `, ${maxRows} rows per block` : ''}`, async () => {
      const x = features(n * 31 + d, n, d);
      const cpu = linearKernelCpu(x, n, d);
      const g = await linearKernelGpu(gpu(), x, n, d, { maxRows });
      // The diagonal is float64 on the CPU in both (summation order aside).
      g.diag.forEach((v, i) => {
        expect(Math.abs(v - cpu.diag[i]!)).toBeLessThanOrEqual(1e-12 * cpu.diag[i]!);
      });
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const a = g.row(i);
        const b = cpu.row(i);
        for (let j = 0; j < n; j++) {
          // float32 sums of d products: error ~ sqrt(d)·eps·Σ|x_ik x_jk|, bounded by the norms.
          const scale = Math.sqrt(cpu.diag[i]! * cpu.diag[j]!);
          worst = Math.max(worst, Math.abs(a[j]! - b[j]!) / scale);
          expect(a[j]).toBe(g.row(j)[i]); // symmetric
        }
      }
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('gives the same SVC as the CPU kernel', async () => {
    const rng = new Rng(9);
    const n = 90;
    const d = 40;
    const y = Int32Array.from({ length: n }, () => rng.int(3));
    const x = Float64Array.from({ length: n * d }, (_, i) => rng.normal(y[Math.floor(i / d)]! * 0.4, 1));
    const cpu = fitSVC(x, y, { C: 0.1 });
    const g = fitSVC(x, y, { C: 0.1, kernel: await linearKernelGpu(gpu(), x, n, d, { maxRows: 32 }) });
    expect(g.predict(x)).toEqual(cpu.predict(x));
    g.pairs.forEach((p, k) => {
      expect(Math.abs(p.rho - cpu.pairs[k]!.rho)).toBeLessThan(1e-3);
    });
  });
});
