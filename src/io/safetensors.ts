/**
 * safetensors files: 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data
 * section. Each tensor's `data_offsets` [begin, end) count from the start of the data section;
 * together they must cover it exactly (no gaps, no overlaps), as the reference reader demands.
 * Pure functions over bytes, so they run in Node and browsers. Little-endian host assumed (every
 * WebGPU platform is).
 */

export type SafeDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** F16 and BF16 are kept as raw bits (Uint16Array); BOOL is one byte per element. */
export type SafeData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | BigUint64Array
  | Uint32Array
  | Uint16Array
  | Uint8Array;

export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: SafeData;
}

export interface SafetensorsFile {
  /** Tensors in header order. */
  tensors: Map<string, SafeTensor>;
  /** `__metadata__`: string to string; informational only. */
  metadata: Record<string, string>;
}

/** A file that breaks the safetensors format; the message names the tensor and the rule. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

interface DtypeInfo {
  size: number;
  ctor: new (buf: ArrayBufferLike, off: number, n: number) => SafeData;
}

export const SAFE_DTYPES: Record<SafeDtype, DtypeInfo> = {
  F64: { size: 8, ctor: Float64Array },
  F32: { size: 4, ctor: Float32Array },
  F16: { size: 2, ctor: Uint16Array },
  BF16: { size: 2, ctor: Uint16Array },
  I64: { size: 8, ctor: BigInt64Array },
  I32: { size: 4, ctor: Int32Array },
  I16: { size: 2, ctor: Int16Array },
  I8: { size: 1, ctor: Int8Array },
  U64: { size: 8, ctor: BigUint64Array },
  U32: { size: 4, ctor: Uint32Array },
  U16: { size: 2, ctor: Uint16Array },
  U8: { size: 1, ctor: Uint8Array },
  BOOL: { size: 1, ctor: Uint8Array },
};

/** The reference implementation refuses headers over 100 MB; so do we (a corrupt length). */
const MAX_HEADER = 100_000_000;

export interface ReadOptions {
  /** Copy every tensor out of the file buffer (default: view it when the offset is aligned). */
  copy?: boolean;
}

export function readSafetensors(bytes: Uint8Array, opts: ReadOptions = {}): SafetensorsFile {
  if (bytes.length < 8) {
    throw new SafetensorsError(
      `not a safetensors file: ${bytes.length} bytes, less than the 8-byte header length`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(`header length ${n64} runs past the end of the ${bytes.length}-byte file`);
  }
  const n = Number(n64);
  if (n > MAX_HEADER) throw new SafetensorsError(`header length ${n} exceeds the 100 MB limit`);
  if (n < 2 || bytes[8] !== 0x7b)
    throw new SafetensorsError('header is not a JSON object (must start with "{")');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header is not a JSON object');
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafeDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        throw new SafetensorsError('__metadata__ must be an object of strings');
      }
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== 'string') throw new SafetensorsError(`__metadata__["${k}"] is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    entries.push(parseEntry(name, v));
  }
  // Coverage: sorted by (begin, end), each tensor starts where the previous one ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = '';
  for (const e of sorted) {
    if (e.begin > at) {
      throw new SafetensorsError(
        `gap in the data section: bytes ${at}..${e.begin} before tensor "${e.name}" belong to no tensor`,
      );
    }
    if (e.begin < at) {
      throw new SafetensorsError(
        `tensors "${prev}" and "${e.name}" overlap in the data section (offset ${e.begin} < ${at})`,
      );
    }
    at = e.end;
    prev = e.name;
  }
  if (at !== dataLen) {
    throw new SafetensorsError(
      at > dataLen
        ? `tensor "${prev}" ends at ${at}, past the ${dataLen}-byte data section (file truncated?)`
        : `data section has ${dataLen - at} bytes after the last tensor "${prev}" that belong to no tensor`,
    );
  }
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const { size, ctor } = SAFE_DTYPES[e.dtype];
    const abs = bytes.byteOffset + dataStart + e.begin;
    const count = (e.end - e.begin) / size;
    const data =
      opts.copy || abs % size !== 0
        ? new ctor(copyBytes(bytes.subarray(dataStart + e.begin, dataStart + e.end)), 0, count)
        : new ctor(bytes.buffer, abs, count);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

/** A copy in a fresh ArrayBuffer (Node's Buffer.slice would share memory, at a pool offset). */
function copyBytes(b: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out.buffer;
}

function parseEntry(name: string, v: unknown) {
  const bad = (why: string): never => {
    throw new SafetensorsError(`tensor "${name}": ${why}`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('entry is not an object');
  const { dtype, shape, data_offsets: offs } = v as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in SAFE_DTYPES)) {
    return bad(
      `unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(SAFE_DTYPES).join(' ')})`,
    );
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    return bad(`shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (
    !Array.isArray(offs) ||
    offs.length !== 2 ||
    offs.some((o) => !Number.isSafeInteger(o) || o < 0) ||
    offs[0] > offs[1]
  ) {
    return bad(`data_offsets ${JSON.stringify(offs)} is not [begin, end] with 0 <= begin <= end`);
  }
  const size = SAFE_DTYPES[dtype as SafeDtype].size;
  const numel = (shape as number[]).reduce((a, b) => a * b, 1);
  const [begin, end] = offs as [number, number];
  if (end - begin !== numel * size) {
    bad(
      `data_offsets [${begin}, ${end}] span ${end - begin} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${numel * size}`,
    );
  }
  return { name, dtype: dtype as SafeDtype, shape: shape as number[], begin, end };
}

/** The typed array each dtype is written from. */
function matches(dtype: SafeDtype, data: SafeData): boolean {
  return data instanceof SAFE_DTYPES[dtype].ctor;
}

export type TensorsIn = Map<string, SafeTensor> | Record<string, SafeTensor>;

/**
 * Encodes tensors (and string metadata) as safetensors. Tensors are laid out widest element
 * first (then by name), so after the header (padded with spaces to make 8 + N a multiple of 8)
 * every tensor's offset is a multiple of its element size and a reader can view it in place.
 */
export function writeSafetensors(tensors: TensorsIn, metadata: Record<string, string> = {}): Uint8Array {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new SafetensorsError('"__metadata__" cannot name a tensor');
    if (!(t.dtype in SAFE_DTYPES))
      throw new SafetensorsError(`tensor "${name}": unsupported dtype ${t.dtype}`);
    if (!matches(t.dtype, t.data)) {
      throw new SafetensorsError(
        `tensor "${name}": dtype ${t.dtype} does not match a ${t.data.constructor.name}`,
      );
    }
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0) || numel !== t.data.length) {
      throw new SafetensorsError(
        `tensor "${name}": shape [${t.shape.join(', ')}] does not hold its ${t.data.length} elements`,
      );
    }
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new SafetensorsError(`metadata "${k}" is not a string`);
  }
  const order = list
    .map(([name, t]) => ({ name, t, size: SAFE_DTYPES[t.dtype].size }))
    .sort((a, b) => b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const { name, t } of order) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { t } of order) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** float16 bits → number (subnormals, infinities and NaN included). */
function halfToNumber(h: number): number {
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A float tensor (F32, F64, F16 or BF16) as Float32Array; F32 is returned as is, not copied. */
export function tensorToFloat32(t: SafeTensor): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return t.data as Float32Array;
    case 'F64':
      return Float32Array.from(t.data as Float64Array);
    case 'F16':
      return Float32Array.from(t.data as Uint16Array, halfToNumber);
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(t.data.length);
      (t.data as Uint16Array).forEach((b, i) => {
        bits[i] = b << 16;
      });
      return new Float32Array(bits.buffer);
    }
    default:
      throw new SafetensorsError(`tensor of dtype ${t.dtype} is not a float tensor`);
  }
}
