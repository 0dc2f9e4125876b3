import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The real test files in `shared/data`: the project's folder of public 3-D files (see its
 * MANIFEST.md), kept outside the repository because ModelNet40 and ShapeNet restrict
 * redistribution. Found at $CROSSPOINT_SHARED_DATA, else as `shared/data` in this checkout's folder
 * or any folder above it (../shared/data beside a clone). Node-only; for tests.
 */

/** Set to 1 (CI does, in .ci/run) to turn a missing folder into a failure instead of skipped tests. */
export const REQUIRE_ENV = 'CROSSPOINT_REQUIRE_SHARED_DATA';
/** Overrides the search: the path of a `data` folder holding MANIFEST.md. */
export const DIR_ENV = 'CROSSPOINT_SHARED_DATA';

/** What the folder is and how to get it, for skip messages and errors. */
export const SHARED_DATA_HELP =
  "shared/data is the project's folder of public PLY/OFF/OBJ/HDF5 files (listed in its MANIFEST.md); " +
  'it is not in the repository. Put the `shared` folder that comes with the project beside your clone ' +
  `(so that ../shared/data/MANIFEST.md exists) or set ${DIR_ENV}=/path/to/shared/data. ` +
  `${REQUIRE_ENV}=1 makes a missing folder a failure instead of a skip.`;

/** The folder, or undefined when it is not there. */
export function findSharedDataDir(): string | undefined {
  const forced = process.env[DIR_ENV];
  if (forced) return existsSync(join(forced, 'MANIFEST.md')) ? resolve(forced) : undefined;
  let dir = resolve(import.meta.dirname);
  for (;;) {
    const cand = join(dir, 'shared', 'data');
    if (existsSync(join(cand, 'MANIFEST.md'))) return cand;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The folder; throws with SHARED_DATA_HELP when it is missing, so tests never pass vacuously. */
export function sharedDataDir(): string {
  const dir = findSharedDataDir();
  if (!dir) throw new Error(`shared/data (with MANIFEST.md) not found. ${SHARED_DATA_HELP}`);
  return dir;
}

let told = false;

/**
 * For a test file that needs the folder: true when it is there. When it is not: throws if
 * CROSSPOINT_REQUIRE_SHARED_DATA=1, otherwise prints once (per process) why `what` is skipped and
 * returns false, for `describe.skipIf(!haveSharedData(...))`.
 */
export function haveSharedData(what: string): boolean {
  if (findSharedDataDir()) return true;
  if (process.env[REQUIRE_ENV] === '1')
    throw new Error(
      `${what} cannot run: shared/data (with MANIFEST.md) not found and ${REQUIRE_ENV}=1. ${SHARED_DATA_HELP}`,
    );
  if (!told) console.warn(`Skipped ${what}: shared/data (with MANIFEST.md) not found. ${SHARED_DATA_HELP}`);
  told = true;
  return false;
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
