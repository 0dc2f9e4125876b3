/** EdgeConv's sizes and the constants of its BatchNorm and activation, shared by the launchers and the reference. */

/** PyTorch's BatchNorm2d defaults. */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;
/** DGCNN's LeakyReLU slope. */
export const LEAKY_SLOPE = 0.2;

export interface EdgeConvDims {
  B: number;
  N: number;
  k: number;
  C: number;
  Cout: number;
  /** BatchNorm's running-statistics momentum (PyTorch's default BN_MOMENTUM when left out). */
  momentum?: number;
}

/** Training (batch statistics, running ones updated) or evaluation (running statistics). */
export type BnMode = 'train' | 'eval';
