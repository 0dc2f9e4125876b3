import type { DgcnnConfig } from './dgcnn-config';
import type { ProjectionHeadConfig } from './projection-head';

/** The DGCNN's inv_head: Linear 2·emb → headHidden (bias) → BN → ReLU → Linear → proj (bias). */
export function dgcnnHeadConfig(c: DgcnnConfig): ProjectionHeadConfig {
  return { inFeatures: 2 * c.emb, hidden: c.headHidden, out: c.proj, bias: true };
}
