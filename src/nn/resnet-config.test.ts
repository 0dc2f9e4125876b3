import { describe, expect, it } from 'vitest';
import { numel } from './param-spec';
import { RESNET50, resnetFeatureWidth, resnetParamSpecs } from './resnet-config';

describe('ResNet parameter specs', () => {
  it('ResNet-50 matches torchvision: 318 backbone entries, 23,508,032 parameters, head 1,180,672', () => {
    const specs = resnetParamSpecs(RESNET50);
    const backbone = specs.filter((s) => s.name.startsWith('resnet.'));
    const head = specs.filter((s) => s.name.startsWith('inv_head.'));
    expect(backbone).toHaveLength(318);
    expect(backbone.filter((s) => s.trainable).reduce((t, s) => t + numel(s.shape), 0)).toBe(23_508_032);
    expect(head.filter((s) => s.trainable).reduce((t, s) => t + numel(s.shape), 0)).toBe(1_180_672);
    expect(specs).toHaveLength(325);
    expect(resnetFeatureWidth(RESNET50)).toBe(2048);
    expect(specs.find((s) => s.name === 'resnet.layer3.0.downsample.0.weight')!.shape).toEqual([
      1024, 512, 1, 1,
    ]);
    expect(specs.find((s) => s.name === 'resnet.conv1.weight')!.shape).toEqual([64, 3, 7, 7]);
  });
});
