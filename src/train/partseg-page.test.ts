import { describe, expect, it } from 'vitest';
import { dgcnnParamSpecs } from '../nn/dgcnn-config';
import { partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { initialiseParams } from '../nn/param-spec';
import { PARTSEG_REFERENCE, partSegConfigForPreset } from '../nn/dgcnn-partseg-config';
import { partsegSize } from './partseg-sizes';
import {
  partsPageSizeOf,
  checkCategory,
  checkShapeParts,
  PARTS_PAGE_SIZES,
  partsConfigProblem,
  partsModelConfig,
  perPartIou,
  singlePartBaseline,
  transferFromClassifier,
} from './partseg-page';
import { PRESETS } from './presets';

describe('Parts panel sizes and inputs', () => {
  it("a checkpoint's widths name its size at any k; other widths name none", () => {
    expect(partsPageSizeOf(partsegSize('small', 7))).toBe('small');
    expect(partsPageSizeOf({ ...PARTSEG_REFERENCE, k: 20 })).toBe('reference');
    // What `crosspoint pretrain --model dgcnn_seg --preset first-look` writes.
    expect(partsPageSizeOf(partSegConfigForPreset(PRESETS['first-look'].dgcnn))).toBe('first-look');
    expect(partsPageSizeOf({ ...partsegSize('small', 10), emb: 96 })).toBeNull();
    expect(partsPageSizeOf({ ...partsegSize('small', 10), head: [64, 64, 16] })).toBeNull();
  });

  it('the named sizes run; k larger than the points and a batch of one are refused with one sentence', () => {
    for (const c of Object.values(PARTS_PAGE_SIZES)) expect(partsConfigProblem(c)).toBeNull();
    const fl = PARTS_PAGE_SIZES['first-look'];
    expect(partsConfigProblem({ ...fl, k: 300 })).toMatch(
      /^k \(300\) is larger than the points per cloud \(128\)/,
    );
    expect(partsConfigProblem({ ...fl, batch: 1 })).toMatch(/Batch must be at least 2/);
    expect(PARTS_PAGE_SIZES.reference).toMatchObject({ points: 2048, k: 40 });
  });

  it('a category outside 0..15 and parts outside the category are refused, naming the range', () => {
    expect(() => checkCategory(16)).toThrow(/Category 16 is out of range: .*15 Table/);
    expect(() => checkCategory(4)).not.toThrow();
    // Chair (4) owns global parts 12..15.
    expect(() => checkShapeParts('c.txt', 4, Int32Array.of(12, 15, 13))).not.toThrow();
    expect(() => checkShapeParts('c.txt', 4, Int32Array.of(12, 3), Int32Array.of(1, 2))).toThrow(
      /^c\.txt: line 2 has part 3, outside Chair's parts 12\.\.15/,
    );
  });

  it('one part everywhere, by hand: each category’s most common train part; none in train: its first', () => {
    const set = (categories: number[], parts: number[]) => ({
      source: 'hand',
      S: categories.length,
      N: 4,
      points: new Float32Array(categories.length * 12),
      categories: Int32Array.from(categories),
      parts: Int32Array.from(parts),
      notes: [],
    });
    // Airplane (parts 0-3) trains with part 1 most common; Bag (4-5) does not train.
    const train = set([0, 0], [0, 1, 1, 2, 1, 3, 3, 0]);
    const test = set([0, 1], [1, 1, 0, 0, 4, 5, 5, 5]);
    // Airplane predicted 1 everywhere: IoU 0 (part 0), 2/4 (part 1), 1 and 1 (2, 3 absent from
    // both) = 0.625. Bag predicted 4 everywhere: 1/4 and 0 = 0.125. Mean over the 2 shapes.
    expect(singlePartBaseline(train, test)).toBeCloseTo((0.625 + 0.125) / 2, 12);
  });

  it('per-part IoU by hand, a part absent from both counting 1', () => {
    // Airplane: parts 0..3. pred/truth over 5 points.
    const r = perPartIou(0, Int32Array.of(0, 0, 1, 1, 2), Int32Array.of(0, 1, 1, 1, 1));
    expect(r.map((p) => p.iou)).toEqual([1 / 2, 2 / 4, 0, 1]);
    expect(r[1]).toMatchObject({ predicted: 2, labelled: 4 });
  });

  it('from the classification DGCNN only conv1 and bn1 carry over, and only when their widths match', () => {
    const seg = partsModelConfig(PARTS_PAGE_SIZES['first-look']);
    const init = initialiseParams(partSegParamSpecs(seg), 1);
    const fl = PRESETS['first-look'].dgcnn;
    const cls = initialiseParams(dgcnnParamSpecs({ ...fl, edgeWidths: [...fl.edgeWidths] }), 2);
    const { values, transferred } = transferFromClassifier(seg, init, cls);
    expect(transferred.sort()).toEqual(
      [
        'bn1.bias',
        'bn1.num_batches_tracked',
        'bn1.running_mean',
        'bn1.running_var',
        'bn1.weight',
        'conv1.0.weight',
      ].sort(),
    );
    expect(values.get('conv1.0.weight')).toEqual(cls.get('conv1.0.weight'));
    expect(values.get('conv2.0.weight')).toBe(init.get('conv2.0.weight'));
    // The reference size's edge width (64) differs from first-look's 16: nothing carries over.
    const ref = partsModelConfig(PARTS_PAGE_SIZES.reference);
    expect(transferFromClassifier(ref, initialiseParams(partSegParamSpecs(ref), 1), cls).transferred).toEqual(
      [],
    );
  });
});
