import { describe, expect, it } from 'vitest';
import { UsageError } from './errors';
import { picksPartSeg } from './partseg-model-commands';

describe('picksPartSeg (encode / grad --model)', () => {
  it('--model partseg picks the part-segmentation model; the encoder by default', () => {
    expect(picksPartSeg({ model: 'partseg', labels: 'c.npy' })).toBe(true);
    expect(picksPartSeg({ model: 'encoder', preset: 'tiny' })).toBe(false);
    expect(picksPartSeg({})).toBe(false);
  });

  it('a flag of the other model is a usage error naming it', () => {
    expect(() => picksPartSeg({ model: 'partseg', preset: 'tiny' })).toThrow(
      new UsageError('--preset sizes the point encoder, not --model partseg'),
    );
    expect(() => picksPartSeg({ model: 'encoder', labels: 'c.npy' })).toThrow(UsageError);
    expect(() => picksPartSeg({ labels: 'c.npy' })).toThrow('--labels is for --model partseg');
  });
});
