import type { BatchNormMode, BatchNormShape } from './batchnorm';

type Arr = ArrayLike<number>;

export interface BatchNormRefForward {
  y: Float64Array;
  /** Mean and 1/sqrt(var + eps) used for x̂ (batch ones in train mode, running ones in eval). */
  mean: Float64Array;
  invstd: Float64Array;
  /** Running stats after the call (unchanged in eval mode). */
  runningMean: Float64Array;
  runningVar: Float64Array;
}

/** Reference for shaders/batchnorm.wgsl (forward), float64, PyTorch semantics. */
export function batchNormForwardRef(
  s: BatchNormShape,
  x: Arr,
  gamma: Arr,
  beta: Arr,
  runningMean: Arr,
  runningVar: Arr,
  mode: BatchNormMode,
): BatchNormRefForward {
  const { B, C, L } = s;
  const eps = s.eps ?? 1e-5;
  const mom = s.momentum ?? 0.1;
  const n = B * L;
  const at = (b: number, c: number, l: number) => (b * C + c) * L + l;
  const mean = new Float64Array(C);
  const invstd = new Float64Array(C);
  const rm = Float64Array.from(runningMean);
  const rv = Float64Array.from(runningVar);
  for (let c = 0; c < C; c++) {
    if (mode === 'eval') {
      mean[c] = runningMean[c]!;
      invstd[c] = 1 / Math.sqrt(runningVar[c]! + eps);
      continue;
    }
    if (n < 2) throw new Error('batchNormForwardRef: training mode needs more than 1 value per channel');
    let sum = 0;
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) sum += x[at(b, c, l)]!;
    const m = sum / n;
    let m2 = 0;
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) m2 += (x[at(b, c, l)]! - m) ** 2;
    mean[c] = m;
    invstd[c] = 1 / Math.sqrt(m2 / n + eps);
    rm[c] = (1 - mom) * rm[c]! + mom * m;
    rv[c] = (1 - mom) * rv[c]! + mom * (m2 / (n - 1));
  }
  const y = new Float64Array(B * C * L);
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let l = 0; l < L; l++) {
        const i = at(b, c, l);
        y[i] = (x[i]! - mean[c]!) * invstd[c]! * gamma[c]! + beta[c]!;
      }
  return { y, mean, invstd, runningMean: rm, runningVar: rv };
}

/**
 * Analytic backward. Train mode differentiates through the batch statistics:
 * dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)); eval mode: dx = γ·invstd·dy.
 * dγ = Σ dy·x̂, dβ = Σ dy in both. `into` values are added (accumulation).
 */
export function batchNormBackwardRef(
  s: BatchNormShape,
  x: Arr,
  dy: Arr,
  gamma: Arr,
  mean: Arr,
  invstd: Arr,
  mode: BatchNormMode,
  into: { dx?: Arr; dgamma?: Arr; dbeta?: Arr } = {},
): { dx: Float64Array; dgamma: Float64Array; dbeta: Float64Array } {
  const { B, C, L } = s;
  const n = B * L;
  const at = (b: number, c: number, l: number) => (b * C + c) * L + l;
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  const dx = new Float64Array(B * C * L);
  for (let c = 0; c < C; c++) {
    let sd = 0;
    let sdx = 0;
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) {
        const i = at(b, c, l);
        sd += dy[i]!;
        sdx += dy[i]! * (x[i]! - mean[c]!) * invstd[c]!;
      }
    dbeta[c] = sd + (into.dbeta?.[c] ?? 0);
    dgamma[c] = sdx + (into.dgamma?.[c] ?? 0);
    const k = gamma[c]! * invstd[c]!;
    for (let b = 0; b < B; b++)
      for (let l = 0; l < L; l++) {
        const i = at(b, c, l);
        const xh = (x[i]! - mean[c]!) * invstd[c]!;
        const g = mode === 'train' ? k * (dy[i]! - sd / n - (xh * sdx) / n) : k * dy[i]!;
        dx[i] = g + (into.dx?.[i] ?? 0);
      }
  }
  return { dx, dgamma, dbeta };
}
