/**
 * An ObjectCache over one file of fixed-size records: object i's cloud, then its views, at
 * i · recordBytes. The tab's OPFS file (src/worker/object-cache-opfs.ts) and the command line's
 * disk file (object-cache-file.node.ts) share this layout and differ only in how bytes move.
 */
import { checkRecord, type ObjectCache, type ObjectRecordShape, recordBytes } from './object-cache';

/** How bytes reach one open file of records. */
export interface RecordFile {
  /** The file in words, for messages: "the cache /tmp/x.bin". */
  name: string;
  /** Writes all of `bytes` at byte `at`. */
  write(bytes: Uint8Array, at: number): void;
  /** Reads into `out` from byte `at`; returns the bytes read (fewer at the file's end). */
  read(out: Uint8Array, at: number): number;
  /** Closes the file and removes it. */
  close(): void | Promise<void>;
}

/** The cache of `objects` records of `shape` in `file`; `where` is what the Data panel says. */
export function recordObjectCache(
  where: string,
  shape: ObjectRecordShape,
  objects: number,
  file: RecordFile,
): ObjectCache {
  const bytes = recordBytes(shape);
  const cloudBytes = shape.points * 12;
  const viewBytes = shape.size * shape.size * 4;
  let open = true;
  const check = (object: number) => {
    if (!open) throw new Error(`${file.name} was cleared`);
    if (!(Number.isInteger(object) && object >= 0 && object < objects))
      throw new RangeError(`object cache: object ${object} outside 0..${objects - 1}`);
  };
  const readExactly = (out: Uint8Array, at: number) => {
    const n = file.read(out, at);
    if (n !== out.length) throw new Error(`${file.name} ended early (${n} of ${out.length} bytes at ${at})`);
  };
  return {
    where,
    shape,
    async write(object, cloud, views) {
      check(object);
      checkRecord(shape, cloud, views);
      const at = object * bytes;
      file.write(new Uint8Array(cloud.buffer, cloud.byteOffset, cloud.byteLength), at);
      for (const [i, v] of views.entries()) file.write(v, at + cloudBytes + i * viewBytes);
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
      await file.close();
    },
  };
}
