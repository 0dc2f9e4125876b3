import { expect, test as setup } from '@playwright/test';
import { unprobedKernelChoice, variantCacheKey } from '../src/kernels/variant-choice';
import { VARIANT_CACHE_DB, VARIANT_CACHE_STORE } from '../src/worker/variant-cache';
import { SEEDED_STORAGE_STATE } from './storage-state';

// The engine's worker probes the kernel variants in the background on a profile whose IndexedDB
// does not know the adapter (every fresh Playwright context): seconds of SwiftShader time that
// every e2e page paid, beside what it tests. This setup project (which the e2e projects depend
// on) stores the untuned defaults under this browser's adapter key once, and the tests' contexts
// start from that storage state, so their pages read a cache hit. The real probe keeps one test
// (engine.spec.ts, on a fresh profile).
setup('seed the kernel-variant cache with the untuned defaults', async ({ page }) => {
  await page.goto('/favicon.svg'); // the app's origin, without starting the app (and its probe)
  // What the worker's key is made of: its adapter (same request) and the user agent.
  const seen = await page.evaluate(async () => {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    return {
      found: Boolean(adapter),
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      device: info?.device ?? '',
      description: info?.description ?? '',
      isFallbackAdapter: Boolean(
        info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean } | null)?.isFallbackAdapter,
      ),
      runtime: navigator.userAgent,
    };
  });
  expect(seen.found, 'no WebGPU adapter in the e2e browser').toBe(true);
  const entry = {
    db: VARIANT_CACHE_DB,
    store: VARIANT_CACHE_STORE,
    key: variantCacheKey(seen, seen.runtime),
    choice: unprobedKernelChoice(seen.isFallbackAdapter),
  };
  await page.evaluate(
    ({ db, store, key, choice }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(db, 1);
        open.onupgradeneeded = () => {
          if (!open.result.objectStoreNames.contains(store)) open.result.createObjectStore(store);
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(store, 'readwrite');
          tx.objectStore(store).put(choice, key);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    entry,
  );
  await page.context().storageState({ path: SEEDED_STORAGE_STATE, indexedDB: true });
});
