/**
 * A streamed set's cache in the origin-private file system (OPFS): one file of fixed-size records
 * (object i's cloud, then its views, at i · recordBytes), written and read through the dedicated
 * worker's synchronous access handle, so a read costs no round trip through the event loop and
 * the next batch is read while the GPU runs the current step. The record number is the index.
 */
import type { ObjectCache, ObjectRecordShape } from '../data/object-cache';
import { recordObjectCache } from '../data/object-cache-records';

/** The parts of the File System Access API used here (a dedicated worker's). */
interface SyncAccessHandle {
  read(buffer: ArrayBufferView, options: { at: number }): number;
  write(buffer: ArrayBufferView, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
interface OpfsFileHandle {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
}
interface OpfsDirectory {
  getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<OpfsDirectory>;
  getFileHandle(name: string, o?: { create?: boolean }): Promise<OpfsFileHandle>;
  removeEntry(name: string): Promise<void>;
  keys(): AsyncIterable<string>;
}

/** The folder every streamed set's file goes in. */
const DIR = 'crosspoint-stream';

/** OPFS's root, where this context has it with synchronous access handles (dedicated workers). */
function opfsRoot(): (() => Promise<OpfsDirectory>) | undefined {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage as
    | { getDirectory?: () => Promise<unknown> }
    | undefined;
  const fileHandle = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle;
  if (!storage?.getDirectory || !fileHandle || !('createSyncAccessHandle' in fileHandle.prototype))
    return undefined;
  return () => storage.getDirectory!() as Promise<OpfsDirectory>;
}

/** Whether this context can keep a cache in OPFS. */
export function haveOpfs(): boolean {
  return opfsRoot() !== undefined;
}

/**
 * Removes the files of sets no tab streams from any more (a tab closed while streaming leaves
 * its file); a file another tab still has open refuses removal and stays.
 */
async function removeStale(dir: OpfsDirectory): Promise<void> {
  const names: string[] = [];
  for await (const name of dir.keys()) names.push(name);
  for (const name of names) await dir.removeEntry(name).catch(() => undefined);
}

export async function openOpfsCache(shape: ObjectRecordShape, objects: number): Promise<ObjectCache> {
  const getRoot = opfsRoot();
  if (!getRoot) throw new Error('OPFS with synchronous access handles is not available here');
  const dir = await (await getRoot()).getDirectoryHandle(DIR, { create: true });
  await removeStale(dir);
  const name = `set-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.bin`;
  const handle = await (await dir.getFileHandle(name, { create: true })).createSyncAccessHandle();
  return recordObjectCache('OPFS', shape, objects, {
    name: 'the OPFS cache of this set',
    write: (b, at) => handle.write(b, { at }),
    read: (out, at) => handle.read(out, { at }),
    async close() {
      handle.close();
      await dir.removeEntry(name).catch(() => undefined);
    },
  });
}
