import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePartsegH5, writePartsegTextFolder } from '../../test/partseg-files';
import { haveSharedData, sharedDataDir } from '../../test/shared-data';
import { Rng } from '../util/random';
import { readPartsegInput } from './partseg-input';

const dir = mkdtempSync(join(tmpdir(), 'partseg-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const opts = { points: 8, seed: 1, perClass: 3 };

describe('part-segmentation inputs', () => {
  it('a ShapeNetPart HDF5 file: the first N points of each cloud, its category and parts', async () => {
    const rng = new Rng(1);
    const N0 = 12;
    const pts = rng.uniformArray(3 * N0 * 3, -1, 1);
    const parts = Array.from({ length: 3 * N0 }, (_, i) =>
      i < N0 ? 12 + (i % 4) : i < 2 * N0 ? 6 + (i % 2) : 47,
    );
    const f = join(dir, 'ply_data_test0.h5');
    await writePartsegH5(f, pts, [4, 2, 15], N0, parts);
    const set = await readPartsegInput(f, 'test', 'test', opts);
    expect([set.S, set.N]).toEqual([3, 8]);
    expect([...set.categories]).toEqual([4, 2, 15]);
    expect([...set.parts.subarray(0, 8)]).toEqual(parts.slice(0, 8));
    expect([...set.points.subarray(24, 48)]).toEqual([...pts.subarray(N0 * 3, N0 * 3 + 24)]);
    // A folder of such files: *test* files for --test, *train*/*val* files for --train.
    await writePartsegH5(
      join(dir, 'ply_data_train0.h5'),
      pts.subarray(0, N0 * 3),
      [4],
      N0,
      parts.slice(0, N0),
    );
    await writePartsegH5(join(dir, 'ply_data_val0.h5'), pts.subarray(0, N0 * 3), [4], N0, parts.slice(0, N0));
    expect((await readPartsegInput(dir, 'train', 'train', opts)).S).toBe(2);
    expect((await readPartsegInput(dir, 'test', 'test', opts)).S).toBe(3);
  });

  it('bad input: no part labels, a category out of range, parts outside the category, nothing there', async () => {
    const N = 8;
    const pts = new Rng(2).uniformArray(2 * N * 3, -1, 1);
    const noPid = join(dir, 'nopid.h5');
    await writePartsegH5(noPid, pts, [0, 1], N);
    await expect(readPartsegInput(noPid, 'train', 'train', opts)).rejects.toThrow(
      /^--train: .*nopid\.h5: no per-point part labels \(no 'pid' dataset/,
    );
    const badCat = join(dir, 'badcat.h5');
    await writePartsegH5(badCat, pts, [0, 21], N, Array(2 * N).fill(0));
    await expect(readPartsegInput(badCat, 'test', 'test', opts)).rejects.toThrow(
      /^--test: .*badcat\.h5: cloud 1 has category 21, outside ShapeNetPart's 0\.\.15/,
    );
    const badPart = join(dir, 'badpart.h5');
    await writePartsegH5(badPart, pts, [2, 2], N, [...Array(N + 3).fill(6), 9, ...Array(N - 4).fill(7)]);
    await expect(readPartsegInput(badPart, 'test', 'test', opts)).rejects.toThrow(
      /cloud 1 point 3 has part 9, but a Cap has parts 6\.\.7/,
    );
    const txt = join(dir, 'plain.txt');
    writeFileSync(txt, '0 0 0\n1 0 0\n0 1 0\n');
    await expect(readPartsegInput(txt, 'test', 'test', opts)).rejects.toThrow(/no per-point part labels/);
    await expect(readPartsegInput(join(dir, 'missing.h5'), 'test', 'test', opts)).rejects.toThrow(
      /--test: .*missing\.h5" does not exist/,
    );
  });

  it('the text layout: train = train + val lists, test = the test list, resampled to N, seeded', async () => {
    const root = join(dir, 'txt');
    const rng = new Rng(3);
    const shape = (id: string, split: 'train' | 'val' | 'test') => ({
      synset: '03001627',
      id,
      points: rng.uniformArray(30 * 3, -1, 1),
      parts: Array.from({ length: 30 }, (_, i) => 12 + (i % 4)),
      split,
    });
    writePartsegTextFolder(root, [shape('a', 'train'), shape('b', 'val'), shape('c', 'test')]);
    const train = await readPartsegInput(root, 'train', 'train', opts);
    expect(train.S).toBe(2);
    expect([...train.categories]).toEqual([4, 4]);
    const again = await readPartsegInput(root, 'train', 'train', opts);
    expect([...again.points]).toEqual([...train.points]);
    expect((await readPartsegInput(root, 'test', 'test', opts)).names![0]).toMatch(/03001627[\\/]c\.txt$/);
  });

  it('the generated set: its ShapeNetPart categories only', async () => {
    const s = await readPartsegInput('sample', 'test', 'test', opts);
    expect(s.S).toBe(5);
    expect(s.source).toBe('sample (test)');
  });
});

describe.skipIf(!haveSharedData('the ShapeNetPart sample'))('the ShapeNetPart sample in shared/data', () => {
  it('reads as 5 train (val list) and 7 test Caps', async () => {
    const root = join(sharedDataDir(), 'shapenetpart_sample');
    const train = await readPartsegInput(root, 'train', 'train', { ...opts, points: 2048 });
    const test = await readPartsegInput(root, 'test', 'test', { ...opts, points: 2048 });
    expect([train.S, test.S]).toEqual([5, 7]);
    expect(new Set(test.categories)).toEqual(new Set([2]));
    expect(new Set(test.parts)).toEqual(new Set([6, 7]));
  });
});
