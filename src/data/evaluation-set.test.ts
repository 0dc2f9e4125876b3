import h5wasm from 'h5wasm';
import { describe, expect, it } from 'vitest';
import { haveSharedData, readSharedFile } from '../../test/shared-data';
import { DataFormatError } from './errors';
import { readEvaluationSet } from './evaluation-set';
import type { FileLike } from './folder-index';

const HAVE = haveSharedData('the evaluation-set tests on the ModelNet40 subset');

/** An in-memory HDF5 file holding `datasets`. */
async function h5(
  name: string,
  datasets: Record<string, { data: Float32Array | Uint8Array; shape: number[] }>,
) {
  const { FS } = await h5wasm.ready;
  const f = new h5wasm.File(`/${name}`, 'w');
  for (const [k, v] of Object.entries(datasets)) f.create_dataset({ name: k, data: v.data, shape: v.shape });
  f.close();
  const bytes = FS.readFile(`/${name}`) as Uint8Array;
  FS.unlink(`/${name}`);
  return { name, path: name, bytes } satisfies FileLike;
}

describe('readEvaluationSet', () => {
  it.skipIf(!HAVE)('ModelNet40 train and test files: their splits, with the 40 class names', async () => {
    const train = {
      name: 't',
      path: 'ply_data_train0.h5',
      bytes: readSharedFile('modelnet40_subset/ply_data_train0.h5'),
    };
    const test = {
      name: 'u',
      path: 'ply_data_test0.h5',
      bytes: readSharedFile('modelnet40_subset/ply_data_test0.h5'),
    };
    const set = await readEvaluationSet('modelnet40_subset', [
      { file: train, kind: 'modelnet40', split: 'train' },
      { file: test, kind: 'modelnet40', split: 'test' },
    ]);
    expect(set.train.n).toBe(97);
    expect(set.test.n).toBe(20);
    expect(set.pointsPerCloud).toBe(2048);
    expect(set.classes[0]).toBe('airplane');
    expect(set.classes[set.test.labels[0]!]).toBe('airplane'); // rows sorted by label: airplane first
    expect(set.problems).toEqual([]);
    expect(set.notes).toEqual([]);
  });

  it('an h5 with unexpected datasets is left out with its reason; the usable one is read and split 80/20', async () => {
    const n = 10;
    const good = await h5('scan_a.h5', {
      data: { data: new Float32Array(n * 16 * 3).map((_, i) => Math.sin(i)), shape: [n, 16, 3] },
      label: { data: Uint8Array.from({ length: n }, (_, i) => i % 2), shape: [n] },
    });
    const odd = await h5('weights.h5', { kernel: { data: new Float32Array(6), shape: [2, 3] } });
    const nolabel = await h5('nolabel.h5', {
      data: { data: new Float32Array(2 * 16 * 3), shape: [2, 16, 3] },
    });
    const set = await readEvaluationSet(
      'mine',
      [
        { file: good, kind: 'scanobjectnn' },
        { file: odd, kind: 'hdf5' },
        { file: nolabel, kind: 'hdf5' },
      ],
      3,
    );
    expect(set.files).toEqual(['scan_a.h5']);
    expect(set.problems.map((p) => p.file)).toEqual(['weights.h5', 'nolabel.h5']);
    expect(set.problems[1]!.problem).toMatch(
      /^no `label` dataset, so no classes to evaluate \(found data .*\); left out$/,
    );
    expect(set.problems[0]!.problem).toMatch(/left out$/);
    expect(set.train.n + set.test.n).toBe(n);
    expect(set.test.n).toBe(2); // one of each class's five
    expect(set.classes).toEqual(['bag', 'bin']);
    expect(set.notes).toEqual(['no test file: split 80/20 per class (seed 3)']);
    // Rows keep their clouds: the first train row is a row of the file.
    expect(set.train.points.length).toBe(set.train.n * 16 * 3);
    // A classes.txt beside the file names the classes (as `crosspoint sample` writes one).
    const names = {
      name: 'classes.txt',
      path: 'classes.txt',
      bytes: new TextEncoder().encode('airplane\nbench\ncabinet\n'),
    };
    const named = await readEvaluationSet('mine', [{ file: good, kind: 'hdf5' }], 3, [names]);
    expect(named.classes).toEqual(['airplane', 'bench']);
  });

  it('no usable file is one DataFormatError naming the first problem', async () => {
    const odd = await h5('weights.h5', { kernel: { data: new Float32Array(6), shape: [2, 3] } });
    const run = readEvaluationSet('mine', [{ file: odd, kind: 'hdf5' }]);
    await expect(run).rejects.toBeInstanceOf(DataFormatError);
    await expect(readEvaluationSet('mine', [{ file: odd, kind: 'hdf5' }])).rejects.toThrow(
      /^mine: evaluation set: none of the 1 \.h5 files is a labelled set of clouds \(first: weights\.h5: /,
    );
  });
});
