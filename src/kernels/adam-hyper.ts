import type { ParamType } from '../gpu/params';

/** Adam's hyper-parameters (PyTorch's names and defaults), shared by the launcher and its reference. */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAM_DEFAULTS: AdamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

/**
 * The step's Adam values as both shaders' uniforms hold them, in this order: lr, β1, β2, ε, weight
 * decay, then the bias corrections bc1 = 1 − β1^t and √bc2 = √(1 − β2^t) of step t (1-based).
 */
export function adamStepFields(h: Omit<AdamHyper, 'lr'>, t: number, lr: number): [ParamType, number][] {
  return [
    ['f32', lr],
    ['f32', h.beta1],
    ['f32', h.beta2],
    ['f32', h.eps],
    ['f32', h.weightDecay],
    ['f32', 1 - h.beta1 ** t], // bc1
    ['f32', Math.sqrt(1 - h.beta2 ** t)], // sqrtBc2
  ];
}
