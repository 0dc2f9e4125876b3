/** Adam's hyper-parameters (PyTorch's names and defaults), shared by the launcher and its reference. */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAM_DEFAULTS: AdamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
