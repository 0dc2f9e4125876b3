import h5wasm from 'h5wasm';
import { DataFormatError } from '../errors';
import { allFinite } from './checks';
import type { LoadedSet } from './types';

/**
 * Point-cloud HDF5 files in the layouts of ModelNet40 (`modelnet40_ply_hdf5_2048`: data, label,
 * normal, faceId), ScanObjectNN (data, label, mask) and ShapeNetPart (data, label, pid), read
 * through h5wasm from bytes (its in-memory file system, so the same code runs in a browser worker).
 * `data` is required, [B, N, C] with C ≥ 3 (or [N, C] for one cloud); every other dataset is
 * optional. Any numeric type is converted: coordinates to float32, labels to int32.
 */

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Deflate expands at most ~1032:1, so a dataset larger than this many times the file is a lie. */
const MAX_EXPANSION = 1100;
/** Largest dataset read, whatever the file says. */
const MAX_DATASET_BYTES = 1 << 30;

let fileCounter = 0;
let quiet: Promise<Awaited<typeof h5wasm.ready>> | undefined;

/** The module, with HDF5's error stack turned into exceptions instead of lines on stderr. */
function ready() {
  quiet ??= h5wasm.ready.then((m) => {
    m.activate_throwing_error_handler();
    return m;
  });
  return quiet;
}

type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

export async function loadHdf5(file: string, bytes: Uint8Array): Promise<LoadedSet> {
  if (!hasMagic(bytes)) {
    throw new DataFormatError(
      file,
      { byte: 0 },
      'not an HDF5 file (no HDF5 signature at byte 0, 512, 1024...)',
    );
  }
  const { FS } = await ready();
  const path = `/crosspoint-load-${fileCounter++}.h5`;
  FS.writeFile(path, bytes);
  let f: InstanceType<typeof h5wasm.File> | undefined;
  try {
    try {
      f = new h5wasm.File(path, 'r');
    } catch (e) {
      throw new DataFormatError(file, { byte: 0 }, `HDF5 cannot open the file: ${message(e)}`);
    }
    return readLayout(file, bytes.length, f);
  } finally {
    try {
      f?.close();
    } catch {
      // a half-open broken file: nothing more to release
    }
    FS.unlink(path);
  }
}

/** The datasets the reader knows, read in named phases: points, normals, labels, per-point labels. */
function readLayout(file: string, fileBytes: number, f: InstanceType<typeof h5wasm.File>): LoadedSet {
  const { keys, get } = datasetsOf(file, f);
  const data = get('data');
  if (!data) {
    throw new DataFormatError(
      file,
      { part: 'root group' },
      `no 'data' dataset (found: ${keys.map((k) => `'${k}'`).join(', ') || 'nothing'})`,
    );
  }
  const properties: string[] = [];
  const { B, N, C, raw, points } = readPoints(file, data, fileBytes, properties);
  const set: LoadedSet = {
    file,
    format: 'hdf5',
    count: B,
    pointsPerCloud: N,
    points,
    properties,
    warnings: [],
  };
  readNormals(set, get('normal'), raw, C, fileBytes);
  readLabels(set, get('label'), fileBytes);
  for (const name of ['pid', 'seg', 'mask']) readPointLabels(set, name, get(name), fileBytes);
  for (const k of keys) {
    if (!['data', 'normal', 'label', 'pid', 'seg', 'mask'].includes(k)) properties.push(`${k} (not read)`);
  }
  return set;
}

/** The root group's names, and a getter that opens one as a dataset (undefined when absent). */
function datasetsOf(file: string, f: InstanceType<typeof h5wasm.File>) {
  let keys: string[];
  try {
    keys = f.keys();
  } catch (e) {
    throw new DataFormatError(file, { part: 'root group' }, `cannot list the datasets: ${message(e)}`);
  }
  const get = (name: string): H5Dataset | undefined => {
    if (!keys.includes(name)) return undefined;
    let obj: unknown;
    try {
      obj = f.get(name);
    } catch (e) {
      throw new DataFormatError(file, { part: `dataset '${name}'` }, `cannot open it: ${message(e)}`);
    }
    if (!(obj instanceof h5wasm.Dataset)) {
      throw new DataFormatError(file, { part: `'${name}'` }, 'is a group, not a dataset');
    }
    return obj;
  };
  return { keys, get };
}

/** `data` [B, N, C] or [N, C]: its xyz columns, checked finite (raw keeps every channel). */
function readPoints(file: string, data: H5Dataset, fileBytes: number, properties: string[]) {
  const shape = shapeOf(file, 'data', data);
  if (shape.length !== 2 && shape.length !== 3) {
    throw new DataFormatError(
      file,
      { part: "dataset 'data'" },
      `has shape [${shape}], expected [B, N, C] or [N, C]`,
    );
  }
  const [B, N, C] = shape.length === 3 ? (shape as [number, number, number]) : [1, shape[0]!, shape[1]!];
  if (C < 3)
    throw new DataFormatError(
      file,
      { part: "dataset 'data'" },
      `has ${C} channels per point, expected at least 3`,
    );
  if (B === 0 || N === 0) {
    throw new DataFormatError(
      file,
      { part: "dataset 'data'" },
      `has shape [${shape}]: no points (an empty cloud cannot be used)`,
    );
  }
  const raw = readNumeric(file, 'data', data, fileBytes);
  properties.push(summarise('data', data, shape));
  const points = new Float32Array(B * N * 3);
  for (let i = 0; i < B * N; i++) for (let k = 0; k < 3; k++) points[i * 3 + k] = raw[i * C + k]!;
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i]!)) {
      const p = Math.floor(i / 3);
      throw new DataFormatError(
        file,
        { part: `dataset 'data' [${Math.floor(p / N)}, ${p % N}]` },
        `cloud ${Math.floor(p / N)} point ${p % N} has a non-finite coordinate (${'xyz'[i % 3]} = ${points[i]}); ` +
          'NaN and infinite coordinates are refused',
      );
    }
  }
  return { B, N, C, raw, points };
}

/** Normals from `normal` [B, N, 3], else from channels 3..5 of `data`; dropped (with a warning) if not finite. */
function readNormals(
  set: LoadedSet,
  normal: H5Dataset | undefined,
  raw: ArrayLike<number>,
  C: number,
  fileBytes: number,
): void {
  const { file, count: B, pointsPerCloud: N } = set;
  let normals: Float32Array | undefined;
  if (normal) {
    const s = shapeOf(file, 'normal', normal);
    set.properties.push(summarise('normal', normal, s));
    if (s.reduce((a, b) => a * b, 1) === B * N * 3)
      normals = Float32Array.from(readNumeric(file, 'normal', normal, fileBytes));
    else set.warnings.push(`'normal' has shape [${s}], not [${B}, ${N}, 3]: ignored`);
  } else if (C >= 6) {
    // Some files pack x y z nx ny nz into `data`.
    normals = new Float32Array(B * N * 3);
    for (let i = 0; i < B * N; i++) for (let k = 0; k < 3; k++) normals[i * 3 + k] = raw[i * C + 3 + k]!;
  }
  if (normals) {
    if (allFinite(normals)) set.normals = normals;
    else set.warnings.push('some normals are NaN or infinite: normals were dropped');
  }
}

/** One class label per cloud, `label` [B] or [B, 1]. */
function readLabels(set: LoadedSet, label: H5Dataset | undefined, fileBytes: number): void {
  if (!label) return;
  const { file, count: B } = set;
  const s = shapeOf(file, 'label', label);
  set.properties.push(summarise('label', label, s));
  if (s[0] !== B || s.reduce((a, b) => a * b, 1) !== B) {
    throw new DataFormatError(
      file,
      { part: "dataset 'label'" },
      `has shape [${s}], expected [${B}] or [${B}, 1] to match 'data'`,
    );
  }
  set.labels = toInt32(file, 'label', readNumeric(file, 'label', label, fileBytes));
}

/** Per-point labels [B, N] from the first of `pid`, `seg`, `mask` present (later ones are ignored). */
function readPointLabels(set: LoadedSet, name: string, d: H5Dataset | undefined, fileBytes: number): void {
  if (!d) return;
  const { file, count: B, pointsPerCloud: N } = set;
  const s = shapeOf(file, name, d);
  set.properties.push(summarise(name, d, s));
  if (set.pointLabels) {
    set.warnings.push(`'${name}' ignored: per-point labels already read`);
    return;
  }
  if (s.reduce((a, b) => a * b, 1) !== B * N) {
    throw new DataFormatError(
      file,
      { part: `dataset '${name}'` },
      `has shape [${s}], expected [${B}, ${N}] to match 'data'`,
    );
  }
  set.pointLabels = toInt32(file, name, readNumeric(file, name, d, fileBytes));
}

function hasMagic(bytes: Uint8Array): boolean {
  // The superblock sits at 0 or after a user block of 512, 1024, 2048... bytes.
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_MAGIC.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

function shapeOf(file: string, name: string, d: H5Dataset): number[] {
  let shape: number[] | null;
  try {
    shape = d.shape;
  } catch (e) {
    throw new DataFormatError(file, { part: `dataset '${name}'` }, `cannot read its shape: ${message(e)}`);
  }
  if (!shape) throw new DataFormatError(file, { part: `dataset '${name}'` }, 'has no shape (null dataspace)');
  return shape.map(Number);
}

function summarise(name: string, d: H5Dataset, shape: number[]): string {
  let dtype = '?';
  try {
    dtype = typeof d.dtype === 'string' ? d.dtype : 'compound';
  } catch {
    // leave '?'
  }
  return `${name} ${dtype} [${shape.join(', ')}]`;
}

/** The dataset's values as plain numbers, after checking its type and that its size is plausible. */
function readNumeric(file: string, name: string, d: H5Dataset, fileBytes: number): ArrayLike<number> {
  const part = { part: `dataset '${name}'` };
  let meta: H5Dataset['metadata'];
  try {
    meta = d.metadata;
  } catch (e) {
    throw new DataFormatError(file, part, `cannot read its type: ${message(e)}`);
  }
  if ((meta.type !== 0 && meta.type !== 1) || meta.vlen || ![1, 2, 4, 8].includes(meta.size)) {
    throw new DataFormatError(
      file,
      part,
      `has a non-numeric type (HDF5 class ${meta.type}, ${meta.size} bytes)`,
    );
  }
  if (meta.type === 1 && meta.size < 4)
    throw new DataFormatError(file, part, `has ${meta.size * 8}-bit floats (unsupported)`);
  const bytes = Number(meta.total_size) * meta.size;
  if (bytes > MAX_DATASET_BYTES || bytes > fileBytes * MAX_EXPANSION + (1 << 20)) {
    throw new DataFormatError(
      file,
      part,
      `claims ${bytes} bytes of data, more than a ${fileBytes}-byte file can hold (or more than ${MAX_DATASET_BYTES})`,
    );
  }
  let v: unknown;
  try {
    v = d.value;
  } catch (e) {
    throw new DataFormatError(file, part, `cannot read its values: ${message(e)}`);
  }
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v, Number);
  if (
    ArrayBuffer.isView(v) &&
    !(v instanceof DataView) &&
    (v as unknown as ArrayLike<number>).length === Number(meta.total_size)
  ) {
    return v as unknown as ArrayLike<number>;
  }
  throw new DataFormatError(file, part, 'did not read as a numeric array');
}

function toInt32(file: string, name: string, a: ArrayLike<number>): Int32Array {
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new DataFormatError(
        file,
        { part: `dataset '${name}' [${i}]` },
        `value ${v} is not an integer label`,
      );
    }
    out[i] = v;
  }
  return out;
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}
