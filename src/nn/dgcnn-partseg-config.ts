import type { DgcnnConfig } from './dgcnn-config';
import { batchNormSpecs, biasSpec, type ParamSpec, weightSpec } from './param-spec';

/**
 * CrossPoint's part-segmentation model, `DGCNN_partseg(args, seg_num_all = 50, pretrain)` of the
 * reference (models/dgcnn.py), as sizes. The defaults (PARTSEG_REFERENCE) are the reference's;
 * smaller widths serve first-look presets and tests. Layers, by reference name:
 *
 *   transform_net: kNN graph of the input xyz (k neighbours, self included) → per-edge
 *     conv1 [x_j − x_i ; x_i] 6→tnet[0] + bn1 + LReLU(0.2) → per-edge conv2 →tnet[1] + bn2 +
 *     LReLU → max over k → conv3 (1×1) →tnet[2] + conv3.1 (BN1d) + LReLU → max over points →
 *     linear1 →tnet[3] (no bias) + bn3 + LReLU → linear2 →tnet[4] (no bias) + bn4 + LReLU →
 *     transform →9 (bias; weight 0, bias the 3×3 identity at init) = T [B, 3, 3];
 *     points' = Tᵀ·points (the reference's bmm(xᵀ, T)ᵀ: x'[j, n] = Σ_i T[i, j]·x[i, n]).
 *   EdgeConv A (graph of points'): conv1 6→edge, bn1, LReLU, conv2 edge→edge, bn2, LReLU, max k = x1
 *   EdgeConv B (graph of x1):      conv3 2·edge→edge, bn3, LReLU, conv4, bn4, LReLU, max k = x2
 *   EdgeConv C (graph of x2):      conv5 2·edge→edge, bn5, LReLU, max over k = x3
 *   conv6 3·edge→emb (1×1) + bn6 (BN1d) + LReLU → max over points = g [B, emb]
 *   segment mode: conv7 (1×1 on the category one-hot [B, 16, 1]) →category + bn7 + LReLU = c;
 *     [g ; c] repeated at every point, then x1, x2, x3: [B, emb + category + 3·edge, N]
 *     → conv8 →head[0] + bn8 + LReLU → dropout(p) → conv9 →head[1] + bn9 + LReLU → dropout(p)
 *     → conv10 →head[2] + bn10 + LReLU → conv11 →parts (no BN, no bias) = logits [B, parts, N].
 *   pretrain mode (the reference's `--model dgcnn_seg`, pretrain = True): no conv7…conv11 (bn7…
 *     bn10 exist, unused); inv_head(g): Linear emb→emb (bias) → BN1d → ReLU → Linear emb→proj (bias).
 *
 * Every BN is PyTorch's default (eps 1e-5, momentum 0.1). All LeakyReLU slopes are 0.2.
 */
export interface PartSegConfig {
  /** Neighbours per point in all four kNN graphs (reference 40). */
  k: number;
  /** transform_net widths: conv1, conv2, conv3, linear1, linear2 (reference 64, 128, 1024, 512, 256). */
  tnet: [number, number, number, number, number];
  /** Output width of conv1…conv5 (reference 64). */
  edge: number;
  /** conv6 width, "emb_dims" (reference 1024): the global feature g. */
  emb: number;
  /** Categories of the one-hot label (ShapeNetPart: 16). */
  categories: number;
  /** conv7 width (reference 64). */
  category: number;
  /** conv8, conv9, conv10 widths (reference 256, 256, 128). */
  head: [number, number, number];
  /** Part logits per point (ShapeNetPart: 50). */
  parts: number;
  /** Dropout probability after conv8 and conv9 in training (reference 0.5). */
  dropout: number;
  /** inv_head's hidden width (reference: emb) and projection size (reference 256); pretrain mode. */
  headHidden: number;
  proj: number;
}

/** The reference's sizes (train_partseg.py defaults: k 40, emb_dims 1024, dropout 0.5). */
export const PARTSEG_REFERENCE: PartSegConfig = {
  k: 40,
  tnet: [64, 128, 1024, 512, 256],
  edge: 64,
  emb: 1024,
  categories: 16,
  category: 64,
  head: [256, 256, 128],
  parts: 50,
  dropout: 0.5,
  headHidden: 1024,
  proj: 256,
};

/**
 * The `dgcnn_seg` encoder at a pretraining preset's size: k, emb and proj from the preset's DGCNN,
 * the EdgeConv width its first EdgeConv's, every other width the reference's scaled by edge / 64
 * (so the paper presets give the reference model), inv_head hidden = emb as the reference's.
 */
export function partSegConfigForPreset(d: DgcnnConfig): PartSegConfig {
  const r = PARTSEG_REFERENCE;
  const edge = d.edgeWidths[0];
  const scale = (w: number) => Math.max(1, Math.round((w * edge) / r.edge));
  return {
    ...r,
    k: d.k,
    tnet: r.tnet.map(scale) as PartSegConfig['tnet'],
    edge,
    emb: d.emb,
    category: scale(r.category),
    head: r.head.map(scale) as PartSegConfig['head'],
    headHidden: d.emb,
    proj: d.proj,
  };
}

/** The reference's training size: batch 32 clouds of 2048 points. */
export const PARTSEG_REFERENCE_BATCH = 32;
export const PARTSEG_REFERENCE_POINTS = 2048;

/**
 * 'segment': DGCNN_partseg(pretrain = False), the fine-tuned model (inv_head is in its state_dict
 * but unused: its tensors are not trainable here, as PyTorch's optimiser skips tensors without a
 * gradient). 'pretrain': pretrain = True, the encoder with inv_head and no segmentation head.
 */
export type PartSegMode = 'segment' | 'pretrain';

/** Channels of conv8's input: [g ; c] repeated, then x1, x2, x3 (reference 1280). */
export function partSegConcatWidth(c: PartSegConfig): number {
  return c.emb + c.category + 3 * c.edge;
}

/**
 * Tensors of the segmentation model a `dgcnn_seg` pretraining checkpoint lacks: conv7…conv11's
 * weights (bn7…bn10 are in both, see partSegParamSpecs).
 */
export function partSegHeadNames(c: PartSegConfig): string[] {
  const seg = partSegParamSpecs(c, 'segment').map((s) => s.name);
  const pre = new Set(partSegParamSpecs(c, 'pretrain').map((s) => s.name));
  return seg.filter((n) => !pre.has(n));
}

/**
 * The reference's canonical tensor list (state_dict order, `conv{i}.1.*` aliases of `bn{i}.*`
 * removed). The quirk: Transform_Net assigns `self.bn3` twice, so `transform_net.bn3.*` is the
 * 512-wide BN after linear1 (second assignment, first registration slot), while
 * `transform_net.conv3.1.*` is the 1024-wide BN1d inside conv3: a tensor of its own, not an alias.
 */
export function partSegParamSpecs(c: PartSegConfig, mode: PartSegMode = 'segment'): ParamSpec[] {
  const [t1, t2, t3, t4, t5] = c.tnet;
  const specs: ParamSpec[] = [];
  const t = 'transform_net';
  specs.push(...batchNormSpecs(`${t}.bn1`, t1));
  specs.push(...batchNormSpecs(`${t}.bn2`, t2));
  specs.push(...batchNormSpecs(`${t}.bn3`, t4));
  specs.push(weightSpec(`${t}.conv1.0.weight`, [t1, 6, 1, 1]));
  specs.push(weightSpec(`${t}.conv2.0.weight`, [t2, t1, 1, 1]));
  specs.push(weightSpec(`${t}.conv3.0.weight`, [t3, t2, 1]));
  specs.push(...batchNormSpecs(`${t}.conv3.1`, t3));
  specs.push(weightSpec(`${t}.linear1.weight`, [t4, t3]));
  specs.push(weightSpec(`${t}.linear2.weight`, [t5, t4]));
  specs.push(...batchNormSpecs(`${t}.bn4`, t5));
  specs.push(weightSpec(`${t}.transform.weight`, [9, t5], 'zeros'));
  specs.push({ ...biasSpec(`${t}.transform.bias`, 9, t5), init: 'eye' });

  const e = c.edge;
  for (let i = 1; i <= 5; i++) specs.push(...batchNormSpecs(`bn${i}`, e));
  specs.push(...batchNormSpecs('bn6', c.emb));
  // bn7…bn10 are built whatever `pretrain` says (only conv7…conv11 are conditional), so a
  // pretraining checkpoint holds them at their initial values; unused there, so not trainable.
  const headBn = [
    ...batchNormSpecs('bn7', c.category),
    ...batchNormSpecs('bn8', c.head[0]),
    ...batchNormSpecs('bn9', c.head[1]),
    ...batchNormSpecs('bn10', c.head[2]),
  ];
  specs.push(...(mode === 'segment' ? headBn : headBn.map((s) => ({ ...s, trainable: false }))));
  specs.push(weightSpec('conv1.0.weight', [e, 6, 1, 1]));
  specs.push(weightSpec('conv2.0.weight', [e, e, 1, 1]));
  specs.push(weightSpec('conv3.0.weight', [e, 2 * e, 1, 1]));
  specs.push(weightSpec('conv4.0.weight', [e, e, 1, 1]));
  specs.push(weightSpec('conv5.0.weight', [e, 2 * e, 1, 1]));
  specs.push(weightSpec('conv6.0.weight', [c.emb, 3 * e, 1]));
  // inv_head exists in both modes (the reference builds it unconditionally); only pretraining uses it.
  const head: ParamSpec[] = [
    weightSpec('inv_head.0.weight', [c.headHidden, c.emb]),
    biasSpec('inv_head.0.bias', c.headHidden, c.emb),
    ...batchNormSpecs('inv_head.1', c.headHidden),
    weightSpec('inv_head.3.weight', [c.proj, c.headHidden]),
    biasSpec('inv_head.3.bias', c.proj, c.headHidden),
  ];
  specs.push(...(mode === 'segment' ? head.map((s) => ({ ...s, trainable: false })) : head));
  if (mode === 'segment') {
    specs.push(weightSpec('conv7.0.weight', [c.category, c.categories, 1]));
    specs.push(weightSpec('conv8.0.weight', [c.head[0], partSegConcatWidth(c), 1]));
    specs.push(weightSpec('conv9.0.weight', [c.head[1], c.head[0], 1]));
    specs.push(weightSpec('conv10.0.weight', [c.head[2], c.head[1], 1]));
    specs.push(weightSpec('conv11.weight', [c.parts, c.head[2], 1]));
  }
  return specs;
}

/**
 * The other spellings PyTorch's state_dict gives a tensor of ours: `conv{i}.1.<field>` for
 * `bn{i}.<field>` (i = 1…10 where present) and `transform_net.conv{1,2}.1.<field>` for
 * `transform_net.bn{1,2}.<field>`. Never `transform_net.conv3.1.*` (its own tensor) and never
 * `transform_net.bn3` / `bn4` (not inside a Sequential).
 */
export function partSegAliases(c: PartSegConfig, mode: PartSegMode = 'segment'): Map<string, string> {
  const names = new Set(partSegParamSpecs(c, mode).map((s) => s.name));
  const out = new Map<string, string>();
  const fields = ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'];
  const pairs: [string, string][] = [];
  for (let i = 1; i <= 10; i++) pairs.push([`conv${i}.1`, `bn${i}`]);
  for (let i = 1; i <= 2; i++) pairs.push([`transform_net.conv${i}.1`, `transform_net.bn${i}`]);
  for (const [alias, bn] of pairs) {
    for (const f of fields) if (names.has(`${bn}.${f}`)) out.set(`${alias}.${f}`, `${bn}.${f}`);
  }
  return out;
}
