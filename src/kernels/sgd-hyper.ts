/** SGD's hyper-parameters (PyTorch's names), shared by the launcher and its reference. */
export interface SgdHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** train_partseg.py's SGD: lr 0.1 (its --lr 0.001 × 100), momentum 0.9, weight decay 1e-4. */
export const SGD_PARTSEG: SgdHyper = { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 };
