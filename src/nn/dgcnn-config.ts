import { batchNormSpecs, biasSpec, type ParamSpec, weightSpec } from './param-spec';

/** DGCNN's neighbour count (the reference's default), wherever a k is not given. */
export const DEFAULT_K = 20;

/** The DGCNN point encoder with CrossPoint's projection head (DESIGN.md §1). */
export interface DgcnnConfig {
  /** Neighbours per point (paper 20; the released pretraining command used 15). */
  k: number;
  /** Output widths of EdgeConv 1..4 (reference: 64, 64, 128, 256). */
  edgeWidths: [number, number, number, number];
  /** conv5 width ("emb_dims"; reference 1024). The pooled feature is 2·emb. */
  emb: number;
  /** Hidden width of inv_head (reference 1024). */
  headHidden: number;
  /** Projection size (reference 256). */
  proj: number;
}

export const DGCNN_REFERENCE: DgcnnConfig = {
  k: DEFAULT_K,
  edgeWidths: [64, 64, 128, 256],
  emb: 1024,
  headHidden: 1024,
  proj: 256,
};

/** Input channels of EdgeConv l (1-based): 3 for xyz, then the previous layer's width. */
export function edgeInputWidth(c: DgcnnConfig, l: number): number {
  return l === 1 ? 3 : c.edgeWidths[l - 2]!;
}

export function concatWidth(c: DgcnnConfig): number {
  return c.edgeWidths.reduce((a, b) => a + b, 0);
}

/**
 * The reference's canonical tensor list (crosspoint-weights.md §1), in state_dict order:
 * bn1..bn5, conv1..conv5 weights, inv_head. Shapes follow PyTorch (4-D conv2d, 3-D conv1d).
 */
export function dgcnnParamSpecs(c: DgcnnConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let l = 1; l <= 4; l++) specs.push(...batchNormSpecs(`bn${l}`, c.edgeWidths[l - 1]!));
  specs.push(...batchNormSpecs('bn5', c.emb));
  for (let l = 1; l <= 4; l++) {
    specs.push(weightSpec(`conv${l}.0.weight`, [c.edgeWidths[l - 1]!, 2 * edgeInputWidth(c, l), 1, 1]));
  }
  specs.push(weightSpec('conv5.0.weight', [c.emb, concatWidth(c), 1]));
  specs.push(weightSpec('inv_head.0.weight', [c.headHidden, 2 * c.emb]));
  specs.push(biasSpec('inv_head.0.bias', c.headHidden, 2 * c.emb));
  specs.push(...batchNormSpecs('inv_head.1', c.headHidden));
  specs.push(weightSpec('inv_head.3.weight', [c.proj, c.headHidden]));
  specs.push(biasSpec('inv_head.3.bias', c.proj, c.headHidden));
  return specs;
}
