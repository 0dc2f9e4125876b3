import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBytes } from './object-cache';
import { fileCacheOpener } from './object-cache-file.node';
import { cloud, expectRecordsReadBack, shape, writeRecords } from '../../test/object-cache-records';

const root = mkdtempSync(join(tmpdir(), 'crosspoint-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the file cache (the CLI streams from it; same layout as the tab’s OPFS file)', () => {
  it('reads back every record written, in any order, as fixed-size records in one file', async () => {
    const dir = join(root, 'a');
    const cache = await fileCacheOpener(dir, 'the views')(shape, 4);
    await writeRecords(cache, [2, 0, 3, 1]);
    await expectRecordsReadBack(cache, 4);
    expect(readdirSync(dir)).toHaveLength(1);
    await expect(cache.write(0, cloud(0).subarray(3), [])).rejects.toThrow('a cloud of 4 points, expected 5');
    await cache.clear();
    expect(readdirSync(dir)).toEqual([]);
    await expect(cache.readCloud(0)).rejects.toThrow('was cleared');
  });

  it('a cache larger than the disk’s free space is refused before writing, with the figures and what to lower', async () => {
    const open = fileCacheOpener(join(root, 'b'), 'the views');
    const huge = 2 ** 40; // records: a few PiB in all
    await expect(open(shape, huge)).rejects.toThrow(
      new RegExp(
        `needs ${((huge * recordBytes(shape)) / 1024 ** 3).toFixed(2)} GiB, but that disk has .* free: .* or lower the views`,
      ),
    );
    expect(readdirSync(join(root, 'b'))).toEqual([]);
  });
});
