/**
 * A streamed set's cache as one file on the local disk (Node: the command line's
 * `pretrain --stream-cache DIR`), laid out as the tab's OPFS file: fixed-size records, object i's
 * cloud then its views at i · recordBytes. The free space of the disk is checked before writing.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors';
import { type ObjectCache, type OpenObjectCache, recordBytes } from './object-cache';
import { recordObjectCache } from './object-cache-records';

const GiB = 1024 ** 3;
const fmt = (b: number) => (b >= GiB ? `${(b / GiB).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(1)} MiB`);

/** An opener of file caches in folder `dir` (created when missing); `lower` names the settings to lower. */
export function fileCacheOpener(dir: string, lower: string): OpenObjectCache {
  return async (shape, objects): Promise<ObjectCache> => {
    mkdirSync(dir, { recursive: true });
    const bytes = recordBytes(shape);
    const need = objects * bytes;
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    if (need > free)
      throw new InputError(
        `the set streams from a cache in ${dir}, which needs ${fmt(need)}, but that disk has ${fmt(free)} free: ` +
          `free space, choose another --stream-cache folder, or lower ${lower}`,
      );
    const path = join(dir, `crosspoint-stream-${process.pid}-${Date.now().toString(36)}.bin`);
    const fd = openSync(path, 'w+');
    return recordObjectCache('a file', shape, objects, {
      name: `the cache ${path}`,
      write: (b, at) => writeSync(fd, b, 0, b.length, at),
      read: (out, at) => readSync(fd, out, 0, out.length, at),
      close() {
        closeSync(fd);
        rmSync(path, { force: true });
      },
    });
  };
}
