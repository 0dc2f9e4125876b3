/**
 * The disk cache a streamed set gets in the tab: OPFS (one file, synchronous access in this
 * dedicated worker), else IndexedDB. The browser's storage quota (navigator.storage.estimate) is
 * checked before anything is written: a cache that would not fit is refused with the figures.
 */
import type { ObjectCache, OpenObjectCache } from '../data/object-cache';
import { recordBytes } from '../data/object-cache';
import { InputError } from '../util/errors';
import { haveIndexedDb, openIdbCache } from './object-cache-idb';
import { haveOpfs, openOpfsCache } from './object-cache-opfs';

const GiB = 1024 ** 3;
const fmt = (b: number) => (b >= GiB ? `${(b / GiB).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(1)} MiB`);

/** The storage figures, when the browser gives them. */
async function storageEstimate(): Promise<{ quota: number; usage: number } | undefined> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate) return undefined;
  const e = await storage.estimate();
  return e.quota === undefined ? undefined : { quota: e.quota, usage: e.usage ?? 0 };
}

/** The message for a cache the quota cannot hold. */
export function quotaMessage(need: number, quota: number, usage: number, lower: string): string {
  return (
    `the set is over the GPU budget, so it streams from a cache on disk, but that cache needs ${fmt(need)} ` +
    `and this page's storage quota leaves ${fmt(Math.max(0, quota - usage))} (quota ${fmt(quota)}, ${fmt(usage)} used): ` +
    `free disk space or this site's stored data, or lower ${lower}`
  );
}

/**
 * An opener for the tab's disk cache, or undefined where the worker has neither OPFS nor
 * IndexedDB (then a set over the budget is refused as before). `lower` names the settings.
 */
export function diskCacheOpener(lower: string): OpenObjectCache | undefined {
  if (!haveOpfs() && !haveIndexedDb()) return undefined;
  return async (shape, objects): Promise<ObjectCache> => {
    const need = objects * recordBytes(shape);
    const est = await storageEstimate();
    if (est && need > est.quota - est.usage)
      throw new InputError(quotaMessage(need, est.quota, est.usage, lower));
    if (haveOpfs()) {
      try {
        return await openOpfsCache(shape, objects);
      } catch (e) {
        if (!haveIndexedDb()) throw e;
      }
    }
    return openIdbCache(shape, objects);
  };
}
