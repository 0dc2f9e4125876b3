import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBytes } from './object-cache';
import { fileCacheOpener } from './object-cache-file.node';

const root = mkdtempSync(join(tmpdir(), 'crosspoint-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shape = { points: 5, views: 3, size: 4 };
const cloud = (i: number) => Float32Array.from({ length: 15 }, (_, j) => i * 100 + j + 0.25);
const view = (i: number, v: number) => Uint8Array.from({ length: 64 }, (_, j) => (i * 31 + v * 7 + j) % 256);

describe('the file cache (the CLI streams from it; same layout as the tab’s OPFS file)', () => {
  it('reads back every record written, in any order, as fixed-size records in one file', async () => {
    const dir = join(root, 'a');
    const cache = await fileCacheOpener(dir, 'the views')(shape, 4);
    for (const i of [2, 0, 3, 1])
      await cache.write(
        i,
        cloud(i),
        [0, 1, 2].map((v) => view(i, v)),
      );
    expect(await cache.readCloud(3)).toEqual(cloud(3));
    expect(await cache.readView(1, 2)).toEqual(view(1, 2));
    expect(await cache.readView(0, 0)).toEqual(view(0, 0));
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    await expect(cache.readView(1, 3)).rejects.toThrow('view 3 outside 0..2');
    await expect(cache.readCloud(4)).rejects.toThrow('object 4 outside 0..3');
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
