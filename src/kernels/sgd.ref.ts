import type { SgdHyper } from './sgd-hyper';

/**
 * One SGD step with momentum (PyTorch's torch.optim.SGD, dampening 0, no Nesterov, float64) on
 * θ and the momentum buffer in place. torch starts the buffer as a copy of the first gradient,
 * which is what μ·0 + g gives, so the buffer starts at zero here.
 */
export function sgdRef(theta: Float64Array, grad: ArrayLike<number>, buf: Float64Array, h: SgdHyper): void {
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i]! + h.weightDecay * theta[i]!;
    buf[i] = h.momentum * buf[i]! + g;
    theta[i] = theta[i]! - h.lr * buf[i]!;
  }
}
