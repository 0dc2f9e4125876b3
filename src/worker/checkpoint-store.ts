/**
 * Checkpoints kept in the browser's IndexedDB (available in workers): one autosave per preset
 * and seed, written every few steps and on pause, and one slot the user saves explicitly; and
 * the Parts panel's autosave, one partseg checkpoint per fine-tuning run.
 */
export interface StoredCheckpoint {
  key: string;
  step: number;
  savedAt: number;
  bytes: Uint8Array;
}

const DB = 'crosspoint-playground';
const STORE = 'checkpoints';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = fn(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

export function checkpointKey(slot: 'autosave' | 'saved', preset: string, seed: number): string {
  return `${slot}:${preset}:${seed}`;
}

/** The Parts panel's autosave of one run ('pretrained' or 'random'). */
export function partsCheckpointKey(arm: string): string {
  return `parts-autosave:${arm}`;
}

export async function putCheckpoint(c: StoredCheckpoint): Promise<void> {
  await tx('readwrite', (s) => s.put(c));
}

export async function deleteCheckpoint(key: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  await tx('readwrite', (s) => s.delete(key));
}

export async function getCheckpoint(key: string): Promise<StoredCheckpoint | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  return (await tx('readonly', (s) => s.get(key))) as StoredCheckpoint | undefined;
}
