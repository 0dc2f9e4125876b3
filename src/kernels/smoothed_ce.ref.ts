import { LABEL_SMOOTHING, smoothedTarget } from './smoothed_ce-target';

export interface SmoothedCeResult {
  loss: number;
  /** [B, C, N] ∂loss/∂logits */
  grad: Float64Array;
  /** [B, N] first arg-max over C */
  pred: Int32Array;
}

/**
 * Float64 reference of the reference's cal_loss with smoothing: logits [B, C, N] (the model's
 * layout), labels [B, N]; loss = mean over points of −Σ_c t_c log softmax(x)_c with
 * t = one_hot·(1−ε) + (1−one_hot)·ε/(C−1). The gradient is the analytic (softmax − t)/(B·N).
 */
export function smoothedCeRef(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  B: number,
  C: number,
  N: number,
  eps = LABEL_SMOOTHING,
): SmoothedCeResult {
  const { on, off } = smoothedTarget(C, eps);
  const grad = new Float64Array(B * C * N);
  const pred = new Int32Array(B * N);
  let total = 0;
  const logp = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      const at = (c: number) => b * C * N + c * N + n;
      let mx = -Infinity;
      let arg = 0;
      for (let c = 0; c < C; c++) {
        if (logits[at(c)]! > mx) {
          mx = logits[at(c)]!;
          arg = c;
        }
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(logits[at(c)]! - mx);
      const lse = mx + Math.log(sum);
      const y = labels[b * N + n]!;
      let l = 0;
      for (let c = 0; c < C; c++) {
        logp[c] = logits[at(c)]! - lse;
        const t = c === y ? on : off;
        l -= t * logp[c]!;
        grad[at(c)] = (Math.exp(logp[c]!) - t) / (B * N);
      }
      total += l;
      pred[b * N + n] = arg;
    }
  }
  return { loss: total / (B * N), grad, pred };
}
