/**
 * Where a set too large for the tab's GPU budget keeps its objects: each object's cloud and its
 * views as 8-bit RGBA, written once while the set is read, then read back batch by batch while it
 * trains (src/train/stream-ring.ts). The tab's caches live on disk: OPFS, else IndexedDB
 * (src/worker/object-cache-opfs.ts, object-cache-idb.ts); `MemoryObjectCache` is the same
 * interface in memory, for tests and the Node command line.
 */

/** What one object's record holds. */
export interface ObjectRecordShape {
  /** Points per cloud ([points, 3] f32). */
  points: number;
  /** Views per object, each [size, size] RGBA8. */
  views: number;
  size: number;
}

/** Bytes of one record: the cloud, then the views in order. */
export function recordBytes(s: ObjectRecordShape): number {
  return s.points * 3 * 4 + s.views * s.size * s.size * 4;
}

export interface ObjectCache {
  /** Where the records are, in words (the Data panel says it): 'OPFS', 'IndexedDB', 'memory'. */
  readonly where: string;
  readonly shape: ObjectRecordShape;
  /** Stores object `object`'s record: cloud [points·3] f32 and `views` views of [size·size·4] bytes. */
  write(object: number, cloud: Float32Array, views: readonly Uint8Array[]): Promise<void>;
  /** Object `object`'s cloud, [points·3] f32 (a fresh copy). */
  readCloud(object: number): Promise<Float32Array>;
  /** View `view` of object `object`, [size·size·4] RGBA8 (a fresh copy). */
  readView(object: number, view: number): Promise<Uint8Array>;
  /** Deletes every record (and the file or store that held them); the cache is unusable after. */
  clear(): Promise<void>;
}

/**
 * Opens an empty cache for `objects` records of `shape`; throws an InputError naming the bytes
 * needed and the bytes free when the storage cannot hold them.
 */
export type OpenObjectCache = (shape: ObjectRecordShape, objects: number) => Promise<ObjectCache>;

/** Checks one record's parts against the shape (a wrong size would shift every later record). */
export function checkRecord(
  shape: ObjectRecordShape,
  cloud: Float32Array,
  views: readonly Uint8Array[],
): void {
  if (cloud.length !== shape.points * 3)
    throw new RangeError(`object cache: a cloud of ${cloud.length / 3} points, expected ${shape.points}`);
  if (views.length !== shape.views)
    throw new RangeError(`object cache: ${views.length} views, expected ${shape.views}`);
  const viewBytes = shape.size * shape.size * 4;
  const bad = views.find((v) => v.length !== viewBytes);
  if (bad) throw new RangeError(`object cache: a view of ${bad.length} bytes, expected ${viewBytes}`);
}

/** The records in memory (tests, and a host without disk storage). */
export class MemoryObjectCache implements ObjectCache {
  readonly where = 'memory';
  private records = new Map<number, { cloud: Float32Array; views: Uint8Array[] }>();

  constructor(readonly shape: ObjectRecordShape) {}

  static open: OpenObjectCache = async (shape) => new MemoryObjectCache(shape);

  async write(object: number, cloud: Float32Array, views: readonly Uint8Array[]): Promise<void> {
    checkRecord(this.shape, cloud, views);
    this.records.set(object, { cloud: cloud.slice(), views: views.map((v) => v.slice()) });
  }

  private record(object: number) {
    const r = this.records.get(object);
    if (!r) throw new RangeError(`object cache: object ${object} was never written`);
    return r;
  }

  async readCloud(object: number): Promise<Float32Array> {
    return this.record(object).cloud.slice();
  }

  async readView(object: number, view: number): Promise<Uint8Array> {
    const v = this.record(object).views[view];
    if (!v) throw new RangeError(`object cache: view ${view} outside 0..${this.shape.views - 1}`);
    return v.slice();
  }

  async clear(): Promise<void> {
    this.records.clear();
  }
}
