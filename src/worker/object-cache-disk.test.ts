import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordBytes } from '../data/object-cache';
import { diskCacheOpener } from './object-cache-disk';

afterEach(() => vi.unstubAllGlobals());

describe('the disk cache of a streamed set in the tab', () => {
  it('none where the worker has neither OPFS nor IndexedDB (the set is then refused as before)', () => {
    vi.stubGlobal('indexedDB', undefined);
    expect(diskCacheOpener('the views')).toBeUndefined();
  });

  it('a cache over the storage quota is refused before anything is opened, with the bytes needed and free', async () => {
    const open = vi.fn();
    vi.stubGlobal('indexedDB', { open, databases: async () => [] });
    vi.stubGlobal('navigator', {
      storage: { estimate: async () => ({ quota: 3 * 1024 ** 3, usage: 1024 ** 3 }) },
    });
    const opener = diskCacheOpener('the classes, objects per class or views per object');
    expect(opener).toBeDefined();
    const shape = { points: 2048, views: 24, size: 224 };
    expect(500 * recordBytes(shape)).toBe(2_420_736_000); // 2.25 GiB, over the 2 GiB left
    await expect(opener!(shape, 500)).rejects.toThrow(
      "the set is over the GPU budget, so it streams from a cache on disk, but that cache needs 2.25 GiB and this page's storage quota leaves 2.00 GiB (quota 3.00 GiB, 1.00 GiB used): free disk space or this site's stored data, or lower the classes, objects per class or views per object",
    );
    expect(open).not.toHaveBeenCalled();
  });
});
