import { batchNormSpecs, type ParamSpec, weightSpec } from './param-spec';

/** A torchvision-style ResNet without its fc layer, plus CrossPoint's image projection head. */
export interface ResNetConfig {
  block: 'basic' | 'bottleneck';
  /** Blocks per stage (ResNet-18: 2,2,2,2; ResNet-50: 3,4,6,3). */
  layers: [number, number, number, number];
  /** Stem width; stage widths are base·1, 2, 4, 8 (×4 at the output of a bottleneck). */
  base: number;
  /** 'imagenet': 7×7 stride-2 conv + 3×3 stride-2 max pool; 'small': 3×3 stride-1 conv, no pool (small images). */
  stem: 'imagenet' | 'small';
  /** Hidden width of the head (reference 512) and projection size (256). */
  headHidden: number;
  proj: number;
}

export const RESNET50: ResNetConfig = {
  block: 'bottleneck',
  layers: [3, 4, 6, 3],
  base: 64,
  stem: 'imagenet',
  headHidden: 512,
  proj: 256,
};

export function expansion(c: ResNetConfig): number {
  return c.block === 'bottleneck' ? 4 : 1;
}

/** Width of the pooled feature (2048 for ResNet-50). */
export function resnetFeatureWidth(c: ResNetConfig): number {
  return c.base * 8 * expansion(c);
}

/** One residual block's shape: input/output widths, inner width and stride. */
export interface BlockShape {
  prefix: string; // e.g. "resnet.layer2.0"
  inC: number;
  midC: number;
  outC: number;
  stride: number;
  downsample: boolean;
}

export function resnetBlocks(c: ResNetConfig): BlockShape[] {
  const blocks: BlockShape[] = [];
  let inC = c.base;
  for (let s = 0; s < 4; s++) {
    const midC = c.base * 2 ** s;
    const outC = midC * expansion(c);
    for (let b = 0; b < c.layers[s]!; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      blocks.push({
        prefix: `resnet.layer${s + 1}.${b}`,
        inC,
        midC,
        outC,
        stride,
        downsample: b === 0 && (stride !== 1 || inC !== outC),
      });
      inC = outC;
    }
  }
  return blocks;
}

/** Tensor list in torchvision's state_dict order, prefixed "resnet.", then "inv_head.*" (no biases). */
export function resnetParamSpecs(c: ResNetConfig): ParamSpec[] {
  const conv = (name: string, o: number, i: number, k: number) =>
    weightSpec(`${name}.weight`, [o, i, k, k], 'kaiming_normal_fan_out');
  const specs: ParamSpec[] = [];
  specs.push(conv('resnet.conv1', c.base, 3, c.stem === 'imagenet' ? 7 : 3));
  specs.push(...batchNormSpecs('resnet.bn1', c.base));
  for (const b of resnetBlocks(c)) {
    if (c.block === 'bottleneck') {
      specs.push(conv(`${b.prefix}.conv1`, b.midC, b.inC, 1), ...batchNormSpecs(`${b.prefix}.bn1`, b.midC));
      specs.push(conv(`${b.prefix}.conv2`, b.midC, b.midC, 3), ...batchNormSpecs(`${b.prefix}.bn2`, b.midC));
      specs.push(conv(`${b.prefix}.conv3`, b.outC, b.midC, 1), ...batchNormSpecs(`${b.prefix}.bn3`, b.outC));
    } else {
      specs.push(conv(`${b.prefix}.conv1`, b.midC, b.inC, 3), ...batchNormSpecs(`${b.prefix}.bn1`, b.midC));
      specs.push(conv(`${b.prefix}.conv2`, b.outC, b.midC, 3), ...batchNormSpecs(`${b.prefix}.bn2`, b.outC));
    }
    if (b.downsample) {
      specs.push(conv(`${b.prefix}.downsample.0`, b.outC, b.inC, 1));
      specs.push(...batchNormSpecs(`${b.prefix}.downsample.1`, b.outC));
    }
  }
  const feat = resnetFeatureWidth(c);
  specs.push(weightSpec('inv_head.0.weight', [c.headHidden, feat]));
  specs.push(...batchNormSpecs('inv_head.1', c.headHidden));
  specs.push(weightSpec('inv_head.3.weight', [c.proj, c.headHidden]));
  return specs;
}
