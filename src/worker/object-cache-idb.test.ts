import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openIdbCache } from './object-cache-idb';
import { expectRecordsReadBack, shape, writeRecords } from '../../test/object-cache-records';

// The IndexedDB cache (the tab's fallback where OPFS's synchronous access handles are missing),
// on fake-indexeddb's in-memory IndexedDB: the browser's OPFS path is covered by e2e/streaming.spec.ts
// (and object-cache-opfs.test.ts on an OPFS in memory).

beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
afterEach(() => vi.unstubAllGlobals());

const names = async () => (await indexedDB.databases()).map((d) => d.name);

describe('the IndexedDB cache of a streamed set', () => {
  it('reads back each cloud and view written, one record each; clear deletes its database', async () => {
    const cache = await openIdbCache(shape, 3);
    expect(cache.where).toBe('IndexedDB');
    await writeRecords(cache, [2, 0, 1]);
    await expectRecordsReadBack(cache, 3);
    expect(await names()).toHaveLength(1);
    await cache.clear();
    expect(await names()).toEqual([]);
    await expect(cache.readCloud(0)).rejects.toThrow('was cleared');
  });

  it('a record never written is an error, not zeros', async () => {
    const cache = await openIdbCache(shape, 2);
    await writeRecords(cache, [0]);
    await expect(cache.readCloud(1)).rejects.toThrow('record 4 was never written');
    await cache.clear();
  });

  it("opening a cache deletes a closed tab's stale one, and only ours", async () => {
    // What a tab closed while streaming leaves: a database no connection holds.
    for (const name of ['crosspoint-stream-old', 'someone-else']) {
      const req = indexedDB.open(name, 1);
      await new Promise((done) => {
        req.onsuccess = () => done(req.result.close());
      });
    }
    const fresh = await openIdbCache(shape, 1);
    await vi.waitFor(async () => expect(await names()).not.toContain('crosspoint-stream-old'));
    expect(await names()).toContain('someone-else');
    expect(await names()).toHaveLength(2);
    await fresh.clear();
  });
});
