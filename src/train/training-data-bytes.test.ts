import { describe, expect, it } from 'vitest';
import { recordBytes } from '../data/object-cache';
import { streamRingBytes } from './stream-ring';
import { DATA_BUDGET_BYTES, folderDataBytes, largestSet } from './training-data-bytes';

describe('dataset bytes on the GPU', () => {
  it('counts f32 clouds and 8-bit RGBA views', () => {
    // 3 objects × 2048 points × 3 × 4 bytes; 3 × 24 views × 137² pixels × 4 bytes.
    expect(folderDataBytes(3, 2048, 24, 137)).toEqual({ clouds: 73_728, views: 5_405_472, total: 5_479_200 });
  });

  it('the largest set on the 4 GiB budget, 24 views and 2048 points an object (README figures)', () => {
    expect(DATA_BUDGET_BYTES).toBe(4_294_967_296);
    // 224 px: 24 · 224² · 4 + 2048 · 12 = 4,841,472 bytes an object.
    expect(largestSet(DATA_BUDGET_BYTES, 2048, 24, 224)).toBe(887);
    // 64 px: 24 · 64² · 4 + 2048 · 12 = 417,792 bytes an object.
    expect(largestSet(DATA_BUDGET_BYTES, 2048, 24, 64)).toBe(10_280);
  });

  it('a streamed set: the disk cache takes what the GPU would, the GPU only the ring (README figures)', () => {
    const at224 = { points: 2048, views: 24, size: 224 };
    const at64 = { points: 2048, views: 24, size: 64 };
    expect(recordBytes(at224)).toBe(folderDataBytes(1, 2048, 24, 224).total);
    expect(recordBytes(at224)).toBe(4_841_472);
    expect(recordBytes(at64)).toBe(417_792);
    const quota = 100 * 1024 ** 3;
    expect(Math.floor(quota / recordBytes(at224))).toBe(22_178);
    expect(Math.floor(quota / recordBytes(at64))).toBe(257_003);
    // The paper preset's batch of 20 at 224 px: 9.5 MiB of ring.
    expect(streamRingBytes(20, at224) / 2 ** 20).toBeCloseTo(9.53, 2);
  });
});
