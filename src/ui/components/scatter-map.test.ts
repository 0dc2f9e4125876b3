import { describe, expect, it } from 'vitest';
import { mapToCanvas } from './scatter-map';

describe('mapToCanvas', () => {
  it('one scale for both axes, centred, y up, padded', () => {
    // x spans 4, y spans 2: x fills 100 − 2·10 px, y half of it, centred.
    const m = mapToCanvas([-1, 0, 3, 2, 1, 1], 3, 100, 10);
    expect([m.x(0), m.y(0)]).toEqual([10, 70]);
    expect([m.x(1), m.y(1)]).toEqual([90, 30]);
    expect([m.x(2), m.y(2)]).toEqual([50, 50]);
  });

  it('nearest: the closest point within the radius, else null; reads only the first m points', () => {
    const m = mapToCanvas([0, 0, 1, 1, 50, 50], 2, 100, 10);
    expect(m.nearest(12, 88, 10)).toBe(0);
    expect(m.nearest(88, 12, 10)).toBe(1);
    expect(m.nearest(50, 50, 10)).toBeNull();
  });

  it('a single point (no spread) sits in the middle', () => {
    const m = mapToCanvas([3, -2], 1, 64, 12);
    expect([m.x(0), m.y(0)]).toEqual([32, 32]);
  });
});
