import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The real test files in `shared/data` (../shared/data from the main checkout), found by walking up
 * from this file so it works from any checkout beside or below `shared/`. Node-only; for tests.
 * Throws when the folder is missing, so tests never pass vacuously.
 */
export function sharedDataDir(): string {
  let dir = resolve(import.meta.dirname);
  for (;;) {
    const cand = join(dir, 'shared', 'data');
    if (existsSync(join(cand, 'MANIFEST.md'))) return cand;
    const up = dirname(dir);
    if (up === dir) throw new Error('shared/data (with MANIFEST.md) not found above the repository');
    dir = up;
  }
}

/** Every file under shared/data, as paths relative to it, sorted. */
export function sharedDataFiles(): string[] {
  const root = sharedDataDir();
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? walk(p) : [relative(root, p)];
    });
  return walk(root).sort();
}

export function readSharedFile(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(sharedDataDir(), rel)));
}
