import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openIdbCache } from './object-cache-idb';

// The IndexedDB cache (the tab's fallback where OPFS's synchronous access handles are missing),
// on fake-indexeddb's in-memory IndexedDB: the browser's OPFS path is covered by e2e/streaming.spec.ts.

beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
afterEach(() => vi.unstubAllGlobals());

const shape = { points: 5, views: 3, size: 4 };
const cloud = (i: number) => Float32Array.from({ length: 15 }, (_, j) => i * 100 + j + 0.25);
const view = (i: number, v: number) => Uint8Array.from({ length: 64 }, (_, j) => (i * 31 + v * 7 + j) % 256);
const names = async () => (await indexedDB.databases()).map((d) => d.name);

describe('the IndexedDB cache of a streamed set', () => {
  it('reads back each cloud and view written, one record each; clear deletes its database', async () => {
    const cache = await openIdbCache(shape, 3);
    expect(cache.where).toBe('IndexedDB');
    for (const i of [2, 0, 1])
      await cache.write(
        i,
        cloud(i),
        [0, 1, 2].map((v) => view(i, v)),
      );
    expect(await cache.readCloud(2)).toEqual(cloud(2));
    expect(await cache.readView(1, 2)).toEqual(view(1, 2));
    expect(await cache.readView(0, 0)).toEqual(view(0, 0));
    await expect(cache.readView(1, 3)).rejects.toThrow('view 3 outside 0..2');
    await expect(cache.readCloud(3)).rejects.toThrow('object 3 outside 0..2');
    await expect(cache.write(0, cloud(0), [view(0, 0)])).rejects.toThrow('1 views, expected 3');
    expect(await names()).toHaveLength(1);
    await cache.clear();
    expect(await names()).toEqual([]);
    await expect(cache.readCloud(0)).rejects.toThrow('was cleared');
  });

  it('a record never written is an error, not zeros', async () => {
    const cache = await openIdbCache(shape, 2);
    await cache.write(
      0,
      cloud(0),
      [0, 1, 2].map((v) => view(0, v)),
    );
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
