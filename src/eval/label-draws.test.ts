import { describe, expect, it } from 'vitest';
import { drawLabelled } from './label-draws';

describe('drawLabelled', () => {
  const labels = Int32Array.of(0, 1, 0, 2, 1, 0, 2, 0);

  it('takes perClass rows of each class, all of a short class, seeded and distinct', () => {
    const a = drawLabelled(labels, 2, 3, 4);
    expect(a).toEqual(drawLabelled(labels, 2, 3, 4));
    for (const d of a) {
      expect(d.short).toBe(0);
      const by = [0, 1, 2].map((c) => Array.from(d.rows).filter((r) => labels[r] === c).length);
      expect(by).toEqual([2, 2, 2]);
      expect(new Set(d.rows).size).toBe(6);
    }
    const three = drawLabelled(labels, 3, 1, 0)[0]!;
    expect(three.short).toBe(2); // classes 1 and 2 have two rows each
    expect(three.rows.length).toBe(7);
  });

  it('all labels (or every class fitting whole) is one draw of the whole split', () => {
    expect(drawLabelled(labels, Number.POSITIVE_INFINITY, 5, 0)).toEqual([
      { rows: Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7), short: 3 },
    ]);
    expect(drawLabelled(labels, 4, 5, 0)).toHaveLength(1);
    expect(() => drawLabelled(labels, 0, 1, 0)).toThrow();
  });
});
