import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordBytes } from '../data/object-cache';
import { haveOpfs, openOpfsCache } from './object-cache-opfs';
import { cloud, expectRecordsReadBack, shape, writeRecords } from '../../test/object-cache-records';

afterEach(() => vi.unstubAllGlobals());

/** An OPFS root in memory: files are growable byte arrays behind synchronous access handles. */
function fakeOpfs() {
  const files = new Map<string, Uint8Array>();
  const dir = {
    getDirectoryHandle: async () => dir,
    async getFileHandle(name: string) {
      if (!files.has(name)) files.set(name, new Uint8Array(0));
      return {
        createSyncAccessHandle: async () => ({
          read(out: Uint8Array, { at }: { at: number }) {
            const part = files.get(name)!.subarray(at, at + out.length);
            out.set(part);
            return part.length;
          },
          write(bytes: Uint8Array, { at }: { at: number }) {
            let f = files.get(name)!;
            if (f.length < at + bytes.length) {
              const grown = new Uint8Array(at + bytes.length);
              grown.set(f);
              f = grown;
              files.set(name, f);
            }
            f.set(bytes, at);
            return bytes.length;
          },
          truncate() {},
          flush() {},
          close() {},
        }),
      };
    },
    async removeEntry(name: string) {
      files.delete(name);
    },
    async *keys() {
      yield* [...files.keys()];
    },
  };
  class FileSystemFileHandle {
    createSyncAccessHandle() {}
  }
  vi.stubGlobal('navigator', { storage: { getDirectory: async () => dir } });
  vi.stubGlobal('FileSystemFileHandle', FileSystemFileHandle);
  return files;
}

describe('the OPFS cache of a streamed set (fixed-size records in one file, as the CLI’s file cache)', () => {
  it('reads back every record written, in any order, at i · recordBytes; clearing removes the file', async () => {
    const files = fakeOpfs();
    files.set('left-by-a-closed-tab.bin', new Uint8Array(8));
    expect(haveOpfs()).toBe(true);
    const cache = await openOpfsCache(shape, 4);
    expect(cache.where).toBe('OPFS');
    expect([...files.keys()]).toHaveLength(1); // the stale file went
    await writeRecords(cache, [2, 0, 3, 1]);
    const [bytes] = [...files.values()];
    expect(bytes!.length).toBe(4 * recordBytes(shape));
    const third = new Float32Array(bytes!.slice(3 * recordBytes(shape), 3 * recordBytes(shape) + 60).buffer);
    expect(third).toEqual(cloud(3));
    await expectRecordsReadBack(cache, 4);
    await cache.clear();
    expect(files.size).toBe(0);
    await expect(cache.readCloud(0)).rejects.toThrow('the OPFS cache of this set was cleared');
  });

  it('a record never written reads short and says so', async () => {
    fakeOpfs();
    const cache = await openOpfsCache(shape, 4);
    await writeRecords(cache, [0]);
    await expect(cache.readCloud(1)).rejects.toThrow(`ended early (0 of 60 bytes at ${recordBytes(shape)})`);
  });
});
