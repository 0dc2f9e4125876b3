import { describe, expect, it } from 'vitest';
import { partName } from '../data/shapenetpart-parts';
import { partIou, partsegScores } from './part-iou';

const CAP = 2; // parts 6, 7
const AIRPLANE = 0; // parts 0..3
const TABLE = 15; // parts 47..49

describe('part IoU (calculate_shape_IoU)', () => {
  it('hand-computed shapes, the empty-union rule, and out-of-category predictions', () => {
    const N = 4;
    const truth = [
      [6, 6, 7, 7], // Cap
      [0, 0, 1, 1], // Airplane: tail (2) and engine (3) neither true nor predicted
      [0, 0, 0, 0], // Airplane, two points predicted as a Table part
      [47, 48, 49, 49], // Table
    ].flat();
    const pred = [
      [6, 7, 7, 7], // part 6: I 1 / U 2; part 7: I 2 / U 3
      [0, 0, 1, 1], // perfect on 0 and 1; 2 and 3 have an empty union → 1 each
      [0, 0, 49, 49], // part 0: 2 / 4; parts 1..3 empty → 1; part 49 is not the category's
      [47, 47, 47, 47], // 47: 1 / 4; 48: 0 / 1; 49: 0 / 2
    ].flat();
    const cats = [CAP, AIRPLANE, AIRPLANE, TABLE];
    const shape = [(0.5 + 2 / 3) / 2, 1, (0.5 + 3) / 4, 0.25 / 3];
    const s = partsegScores(pred, truth, cats, N);
    for (let i = 0; i < 4; i++) expect(s.shapeIous[i]).toBeCloseTo(shape[i]!, 12);
    expect(s.instanceMiou).toBeCloseTo((shape[0]! + shape[1]! + shape[2]! + shape[3]!) / 4, 12);
    // Class mIoU: Cap, Airplane (mean of its two shapes), Table.
    expect(s.classMiou).toBeCloseTo((shape[0]! + (shape[1]! + shape[2]!) / 2 + shape[3]!) / 3, 12);
    expect(s.perCategory[AIRPLANE]).toEqual({ miou: (shape[1]! + shape[2]!) / 2, shapes: 2 });
    expect(s.perCategory[1]!.shapes).toBe(0);
    // Correct points: 3 + 4 + 2 + 1.
    expect(s.accuracy).toBeCloseTo(10 / 16, 12);
  });

  it('a part absent from both prediction and truth counts 1, a part only predicted counts 0', () => {
    expect(partIou([1, 1], [1, 1], 3)).toBe(1);
    expect(partIou([3, 1], [1, 1], 3)).toBe(0);
    expect(partIou([3, 3, 1], [3, 1, 1], 3)).toBe(0.5);
  });

  it('refuses mismatched lengths and names parts', () => {
    expect(() => partsegScores([0], [0, 0], [0], 2)).toThrow(/2 labels/);
    expect(partName(1)).toBe('Airplane wing');
    expect(partName(49)).toBe('Table support');
    expect(partName(7)).toBe('Cap peak');
  });
});
