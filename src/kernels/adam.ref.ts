import { ADAM_DEFAULTS, type AdamHyper } from './adam-hyper';

export { ADAM_DEFAULTS, type AdamHyper };

/**
 * One Adam step (PyTorch's torch.optim.Adam, float64) on θ, m, v in place; t is the step
 * number after this update (1 for the first step).
 */
export function adamRef(
  theta: Float64Array,
  grad: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  t: number,
  h: AdamHyper,
): void {
  const bc1 = 1 - h.beta1 ** t;
  const bc2 = 1 - h.beta2 ** t;
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i]! + h.weightDecay * theta[i]!;
    m[i] = h.beta1 * m[i]! + (1 - h.beta1) * g;
    v[i] = h.beta2 * v[i]! + (1 - h.beta2) * g * g;
    theta[i] = theta[i]! - (h.lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + h.eps));
  }
}
