import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../worker/protocol';
import { embeddingsCoverage } from './embeddings-coverage';

/** n objects per class of `classes`, in set order (class by class), the last of each class a test shape. */
function set(classes: number, n: number): ObjectInfo[] {
  return Array.from({ length: classes * n }, (_, i) => ({
    id: `c${Math.floor(i / n)}_${String(i % n).padStart(4, '0')}`,
    label: Math.floor(i / n),
    split: i % n === n - 1 ? 'test' : 'train',
  }));
}

/** The worker's pick: an even spread of min(limit, N) objects over the set. */
function spread(N: number, limit: number): number[] {
  const n = Math.min(limit, N);
  return Array.from({ length: n }, (_, i) => Math.floor((i * N) / n));
}

describe('embeddingsCoverage', () => {
  it('the default set (13 classes of 8) with the 96 limit: 96 of 104, the 8 left out named', () => {
    const all = set(13, 8);
    const c = embeddingsCoverage(spread(104, 96), all);
    expect(c.shown).toBe(96);
    expect(c.total).toBe(104);
    expect(c.left).toEqual([
      'c1_0004',
      'c3_0001',
      'c4_0006',
      'c6_0003',
      'c8_0000',
      'c9_0005',
      'c11_0002',
      'c12_0007',
    ]);
    expect(c.text).toBe('96 of 104 shapes (an even spread over the set)');
    expect(c.detail).toMatch(/^A refresh embeds at most 96 shapes, taken evenly over the set/);
    expect(c.detail).toContain('so 8 are left out: c1_0004, c3_0001,');
  });

  it('a set no larger than the limit is shown whole', () => {
    const c = embeddingsCoverage(spread(39, 96), set(13, 3));
    expect(c.left).toEqual([]);
    expect(c.text).toBe('All 39 shapes of the sample set');
  });

  it('a long list of left-out shapes is cut after 12', () => {
    const c = embeddingsCoverage(spread(130, 96), set(13, 10));
    expect(c.left).toHaveLength(34);
    expect(c.detail).toContain('so 34 are left out: ');
    expect(c.detail).toContain(' and 22 more.');
  });
});
