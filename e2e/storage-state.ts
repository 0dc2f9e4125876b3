/** The storage state the e2e contexts start from: the kernel-variant cache seeded (kernel-cache.setup.ts). */
export const SEEDED_STORAGE_STATE = 'test-output/e2e-storage-state.json';

/** A fresh profile's storage: no cache, so the page probes the kernel variants for real. */
export const FRESH_PROFILE = { cookies: [], origins: [] };
