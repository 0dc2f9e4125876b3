import type { BatchNormMode } from '../kernels/batchnorm';
import type { BufferSpec } from './buffer-plan';
import type { ParamStore } from './param-store';

/** What createDgcnn / createPointNet need besides the model config. */
export interface EncoderPlanOptions {
  /** Clouds per forward (2·batch for CrossPoint's two augmented views). */
  batch: number;
  points: number;
  /** Plan the backward (parameter gradients from dProjections). Default true. */
  backward?: boolean;
  /** Also plan dInput, the gradient with respect to the points. Default false. */
  inputGrad?: boolean;
  /**
   * dFeatures is an input of the backward too: the caller writes a gradient of the features
   * there before encodeBackward, and the head's input gradient is added to it. Default false
   * (the backward overwrites dFeatures with the head's input gradient).
   */
  featureGrad?: boolean;
  /** Prefix of arena buffer names (default "point."), so several models can share an arena. */
  prefix?: string;
}

/**
 * A point encoder planned for a fixed batch and point count (DGCNN or PointNet, with the
 * projection head). All buffers live in the caller's arena; encode* only record passes.
 */
export interface PointEncoder {
  readonly kind: 'dgcnn' | 'pointnet' | 'dgcnn_seg';
  readonly batch: number;
  readonly points: number;
  /** Every model tensor by reference name, with gradients. */
  readonly params: ParamStore;
  /** [B, 3, N] the clouds, channel-major (x, y, z rows of each cloud). */
  readonly input: GPUBuffer;
  /** [B, featureWidth] the pooled feature used downstream (DGCNN: [max ; mean], 2·emb). */
  readonly features: GPUBuffer;
  /** [B, projWidth] the projection head's output. */
  readonly projections: GPUBuffer;
  /** [B, projWidth] gradient of the loss with respect to the projections (written by the caller). */
  readonly dProjections?: GPUBuffer;
  /** [B, featureWidth] gradient with respect to the features (see EncoderPlanOptions.featureGrad). */
  readonly dFeatures?: GPUBuffer;
  /** [B, 3, N] gradient with respect to the points (with inputGrad). */
  readonly dInput?: GPUBuffer;
  readonly featureWidth: number;
  readonly projWidth: number;
  /** The buffers this encoder's plan allocated (and what its kernels allocate, as kernel-scratch). */
  readonly bufferSpecs: readonly BufferSpec[];
  /**
   * The forward over `input`. 'train' uses batch statistics, updates every BN's running stats
   * and counts one batch (num_batches_tracked); 'eval' uses and keeps the running stats.
   */
  encodeForward(enc: GPUCommandEncoder, mode: BatchNormMode): void;
  /** Backward of the last forward: every parameter gradient (overwritten), dFeatures, dInput. */
  encodeBackward(enc: GPUCommandEncoder): void;
  destroy(): void;
}
