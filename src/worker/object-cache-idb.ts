/**
 * A streamed set's cache in IndexedDB, where OPFS's synchronous access handles are missing: one
 * database per set, one record per cloud and per view (so a batch reads only the views it draws),
 * keyed object · (views + 1) + 0 for the cloud and + 1 + v for view v.
 */
import { checkRecord, type ObjectCache, type ObjectRecordShape } from '../data/object-cache';

const PREFIX = 'crosspoint-stream-';
const STORE = 'records';

export function haveIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined';
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted (the disk quota?)'));
  });
}

/** Deletes the databases of sets no tab streams from any more (one still open elsewhere waits for it to close). */
async function removeStale(): Promise<void> {
  const list = (await indexedDB.databases?.()) ?? [];
  for (const db of list) if (db.name?.startsWith(PREFIX)) indexedDB.deleteDatabase(db.name);
}

export async function openIdbCache(shape: ObjectRecordShape, objects: number): Promise<ObjectCache> {
  await removeStale().catch(() => undefined);
  const name = `${PREFIX}${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await done(open);
  const K = shape.views + 1;
  let closed = false;
  const check = (object: number) => {
    if (closed) throw new Error('the IndexedDB cache of this set was cleared');
    if (!(Number.isInteger(object) && object >= 0 && object < objects))
      throw new RangeError(`object cache: object ${object} outside 0..${objects - 1}`);
  };
  const get = async (key: number): Promise<ArrayBuffer> => {
    const v = await done(db.transaction(STORE, 'readonly').objectStore(STORE).get(key));
    if (!(v instanceof ArrayBuffer)) throw new RangeError(`object cache: record ${key} was never written`);
    return v;
  };
  return {
    where: 'IndexedDB',
    shape,
    async write(object, cloud, views) {
      check(object);
      checkRecord(shape, cloud, views);
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      store.put(cloud.slice().buffer, object * K);
      for (const [i, v] of views.entries()) store.put(v.slice().buffer, object * K + 1 + i);
      await committed(tx);
    },
    async readCloud(object) {
      check(object);
      return new Float32Array(await get(object * K));
    },
    async readView(object, view) {
      check(object);
      if (!(view >= 0 && view < shape.views))
        throw new RangeError(`object cache: view ${view} outside 0..${shape.views - 1}`);
      return new Uint8Array(await get(object * K + 1 + view));
    },
    async clear() {
      if (closed) return;
      closed = true;
      db.close();
      await done(indexedDB.deleteDatabase(name) as IDBRequest<unknown>).catch(() => undefined);
    },
  };
}
