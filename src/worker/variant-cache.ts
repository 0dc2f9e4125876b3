/// <reference lib="webworker" />
import type { KernelChoice, VariantCache } from '../kernels/variant-probe';

/** The IndexedDB database and store of the choices (the e2e tests seed them: e2e/kernel-cache.setup.ts). */
export const VARIANT_CACHE_DB = 'crosspoint';
export const VARIANT_CACHE_STORE = 'kernel-variants';
const DB = VARIANT_CACHE_DB;
const STORE = VARIANT_CACHE_STORE;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
  });
}

function run<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const req = op(db.transaction(STORE, mode).objectStore(STORE));
        req.onsuccess = () => {
          resolve(req.result);
          db.close();
        };
        req.onerror = () => {
          reject(req.error ?? new Error('IndexedDB request failed'));
          db.close();
        };
      }),
  );
}

/**
 * The variant probe's cache in the page: IndexedDB (the engine's worker has no localStorage), one
 * entry per adapter key. Where IndexedDB is unavailable (private modes), loads miss and saves fail,
 * so the probe runs each time and says it could not save.
 */
export function indexedDbVariantCache(): VariantCache {
  return {
    load: (key) => run('readonly', (s) => s.get(key) as IDBRequest<unknown>),
    save: async (key, choice: KernelChoice) => {
      await run('readwrite', (s) => s.put(choice, key));
    },
  };
}
