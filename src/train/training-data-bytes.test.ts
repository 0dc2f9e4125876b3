import { describe, expect, it } from 'vitest';
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
});
