/**
 * A streamed set's cache as one file on the local disk (Node: the command line's
 * `pretrain --stream-cache DIR`), laid out as the tab's OPFS file: fixed-size records, object i's
 * cloud then its views at i · recordBytes. The free space of the disk is checked before writing.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors';
import { checkRecord, type ObjectCache, type OpenObjectCache, recordBytes } from './object-cache';

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
    const cloudBytes = shape.points * 12;
    const viewBytes = shape.size * shape.size * 4;
    let open = true;
    const check = (object: number) => {
      if (!open) throw new Error(`the cache ${path} was cleared`);
      if (!(Number.isInteger(object) && object >= 0 && object < objects))
        throw new RangeError(`object cache: object ${object} outside 0..${objects - 1}`);
    };
    const readExactly = (out: Uint8Array, at: number) => {
      const n = readSync(fd, out, 0, out.length, at);
      if (n !== out.length)
        throw new Error(`the cache ${path} ended early (${n} of ${out.length} bytes at ${at})`);
    };
    return {
      where: 'a file',
      shape,
      async write(object, cloud, views) {
        check(object);
        checkRecord(shape, cloud, views);
        const at = object * bytes;
        writeSync(fd, new Uint8Array(cloud.buffer, cloud.byteOffset, cloud.byteLength), 0, cloudBytes, at);
        for (const [i, v] of views.entries()) writeSync(fd, v, 0, viewBytes, at + cloudBytes + i * viewBytes);
      },
      async readCloud(object) {
        check(object);
        const out = new Float32Array(shape.points * 3);
        readExactly(new Uint8Array(out.buffer), object * bytes);
        return out;
      },
      async readView(object, view) {
        check(object);
        if (!(view >= 0 && view < shape.views))
          throw new RangeError(`object cache: view ${view} outside 0..${shape.views - 1}`);
        const out = new Uint8Array(viewBytes);
        readExactly(out, object * bytes + cloudBytes + view * viewBytes);
        return out;
      },
      async clear() {
        if (!open) return;
        open = false;
        closeSync(fd);
        rmSync(path, { force: true });
      },
    };
  };
}
