import { describe, expect, it } from 'vitest';
import { classOrder, permuteSquare } from './similarity-order';

describe('similarity matrix order', () => {
  it('sorts the batch by class, stably, and finds the class blocks', () => {
    const { order, blocks } = classOrder([3, 1, 3, 0, 1]);
    expect(order).toEqual([3, 1, 4, 0, 2]);
    expect(blocks).toEqual([
      { label: 0, start: 0, end: 1 },
      { label: 1, start: 1, end: 3 },
      { label: 3, start: 3, end: 5 },
    ]);
    expect(classOrder([])).toEqual({ order: [], blocks: [] });
  });

  it('permutes rows and columns together, so the positive pairs stay on the diagonal', () => {
    const B = 3;
    // m[r][c] = 10 r + c: each entry names its own row and column.
    const m = Array.from({ length: B * B }, (_, k) => 10 * Math.floor(k / B) + (k % B));
    const p = permuteSquare(m, B, [2, 0, 1]);
    expect(Array.from(p)).toEqual([22, 20, 21, 2, 0, 1, 12, 10, 11]);
    for (let i = 0; i < B; i++) expect(p[i * B + i]! % 11).toBe(0); // diagonal: r == c
  });
});
