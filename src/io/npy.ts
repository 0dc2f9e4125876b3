/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), C order only.
 *
 * Layout: magic "\x93NUMPY", major and minor version bytes, the header length (uint16 LE in
 * version 1, uint32 LE in 2 and 3), then the header: a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and ending in
 * a newline, then the raw elements. Pure functions over bytes, so they run in Node and browsers.
 */

export type NpyDtype =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

export type NpyData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** A decoded array. float16 stays as raw bits (Uint16Array); bool is one byte per element (0/1). */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

export type NpyErrorKind = 'magic' | 'version' | 'truncated' | 'header' | 'dtype' | 'fortran' | 'shape';

/** A file that is not a readable .npy; `kind` says which check failed. */
export class NpyError extends Error {
  override name = 'NpyError';
  constructor(
    readonly kind: NpyErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93 N U M P Y

interface DtypeInfo {
  dtype: NpyDtype;
  size: number;
  make: (buf: ArrayBuffer, n: number) => NpyData;
}

const KINDS: Record<string, DtypeInfo> = {
  f2: { dtype: 'float16', size: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  f4: { dtype: 'float32', size: 4, make: (b, n) => new Float32Array(b, 0, n) },
  f8: { dtype: 'float64', size: 8, make: (b, n) => new Float64Array(b, 0, n) },
  i1: { dtype: 'int8', size: 1, make: (b, n) => new Int8Array(b, 0, n) },
  i2: { dtype: 'int16', size: 2, make: (b, n) => new Int16Array(b, 0, n) },
  i4: { dtype: 'int32', size: 4, make: (b, n) => new Int32Array(b, 0, n) },
  i8: { dtype: 'int64', size: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
  u1: { dtype: 'uint8', size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  u2: { dtype: 'uint16', size: 2, make: (b, n) => new Uint16Array(b, 0, n) },
  u4: { dtype: 'uint32', size: 4, make: (b, n) => new Uint32Array(b, 0, n) },
  u8: { dtype: 'uint64', size: 8, make: (b, n) => new BigUint64Array(b, 0, n) },
  b1: { dtype: 'bool', size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
};

const LITTLE_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parses a .npy file. The returned data is a fresh copy, converted to the host's byte order. */
export function readNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    const what = bytes.length < 6 ? `only ${bytes.length} bytes` : 'no "\\x93NUMPY" magic';
    throw new NpyError('magic', `not a .npy file (${what})`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3) throw new NpyError('version', `unsupported .npy version ${major}.${minor}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new NpyError('truncated', 'truncated .npy: header length cut off');
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) {
    throw new NpyError(
      'truncated',
      `truncated .npy: header of ${headerLen} bytes runs past the end of the ${bytes.length}-byte file`,
    );
  }
  const headerBytes = bytes.subarray(start, start + headerLen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw new NpyError('header', 'bad .npy header: not valid UTF-8');
  }
  const header = parseHeader(text);
  const { descr, fortran, shape } = header;
  const order = descr[0]!;
  const info = KINDS[descr.slice(1)];
  if (!info || !'<>|='.includes(order) || (order === '|' && info.size !== 1)) {
    throw new NpyError(
      'dtype',
      `unsupported .npy dtype '${descr}' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, either byte order)`,
    );
  }
  if (fortran) {
    throw new NpyError(
      'fortran',
      '.npy array is in Fortran order; only C order is supported (save it with np.ascontiguousarray)',
    );
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const need = n * info.size;
  if (bytes.length - dataStart < need) {
    throw new NpyError(
      'truncated',
      `truncated .npy: shape (${shape.join(', ')}) of ${descr} needs ${need} data bytes, file has ${bytes.length - dataStart}`,
    );
  }
  // A fresh buffer (Node's Buffer.slice would share memory, and at a pool offset).
  const copy = new Uint8Array(need);
  copy.set(bytes.subarray(dataStart, dataStart + need));
  const big = order === '>' || (order === '=' && !LITTLE_HOST);
  if (info.size > 1 && big === LITTLE_HOST) swapBytes(copy, info.size);
  return { dtype: info.dtype, shape, data: info.make(copy.buffer, n) };
}

/** Reverses the bytes of every `size`-byte element in place. */
function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) {
    for (let lo = i, hi = i + size - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
  }
}

interface Header {
  descr: string;
  fortran: boolean;
  shape: number[];
}

/** Parses the header dict: exactly the keys descr, fortran_order and shape (in any order). */
function parseHeader(text: string): Header {
  const bad = (why: string): never => {
    throw new NpyError('header', `bad .npy header (${why}): ${JSON.stringify(text.trim().slice(0, 200))}`);
  };
  let p = 0;
  const ws = () => {
    while (p < text.length && ' \t\n\r'.includes(text[p]!)) p++;
  };
  const expect = (c: string) => {
    ws();
    if (text[p] !== c) bad(`expected '${c}' at ${p}`);
    p++;
  };
  const str = (): string => {
    ws();
    const q = text[p];
    if (q !== "'" && q !== '"') return bad(`expected a string at ${p}`);
    const end = text.indexOf(q, p + 1);
    if (end < 0) return bad('unterminated string');
    const s = text.slice(p + 1, end);
    p = end + 1;
    return s;
  };
  const value = (): string | boolean | number[] => {
    ws();
    const c = text[p];
    if (c === "'" || c === '"') return str();
    for (const [word, v] of [
      ['True', true],
      ['False', false],
    ] as const) {
      if (text.startsWith(word, p)) {
        p += word.length;
        return v;
      }
    }
    if (c === '(') {
      p++;
      const dims: number[] = [];
      for (;;) {
        ws();
        if (text[p] === ')') break;
        const m = /^\d+L?/.exec(text.slice(p));
        if (!m) return bad(`expected a dimension at ${p}`);
        dims.push(Number.parseInt(m[0], 10));
        p += m[0].length;
        ws();
        if (text[p] === ',') p++;
        else if (text[p] !== ')') bad(`expected ',' or ')' at ${p}`);
      }
      p++;
      return dims;
    }
    if (c === '[') return bad('structured dtypes are not supported');
    return bad(`unexpected value at ${p}`);
  };
  const fields: Record<string, unknown> = {};
  expect('{');
  for (;;) {
    ws();
    if (text[p] === '}') break;
    const key = str();
    expect(':');
    fields[key] = value();
    ws();
    if (text[p] === ',') p++;
    else if (text[p] !== '}') bad(`expected ',' or '}' at ${p}`);
  }
  p++;
  ws();
  if (p !== text.length) bad('text after the dict');
  const { descr, fortran_order: fortran, shape } = fields;
  if (typeof descr !== 'string') return bad("no string 'descr'");
  if (typeof fortran !== 'boolean') return bad("no boolean 'fortran_order'");
  if (!Array.isArray(shape)) return bad("no tuple 'shape'");
  const extra = Object.keys(fields).filter((k) => !['descr', 'fortran_order', 'shape'].includes(k));
  if (extra.length) bad(`unexpected keys ${extra.join(', ')}`);
  if (shape.some((d) => !Number.isSafeInteger(d))) bad('dimension too large');
  return { descr, fortran, shape };
}

const DESCR: Record<NpyDtype, string> = {
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  bool: '|b1',
};

/** The dtype a typed array is written as (Uint8Array is uint8; pass dtype 'bool' to write b1). */
function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Uint32Array) return 'uint32';
  return 'uint64';
}

/**
 * Encodes a C-order array as .npy version 1.0 (2.0 when the header needs more than 65535
 * bytes). The header is padded so the data starts at a multiple of 64 bytes, as NumPy does.
 */
export function writeNpy(
  data: NpyData,
  shape: readonly number[],
  dtype: NpyDtype = dtypeOf(data),
): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new NpyError('shape', `writeNpy: bad shape [${shape.join(', ')}]`);
  }
  if (n !== data.length) {
    throw new NpyError(
      'shape',
      `writeNpy: shape [${shape.join(', ')}] holds ${n} elements, data has ${data.length}`,
    );
  }
  if (dtype !== dtypeOf(data) && !(dtype === 'bool' && data instanceof Uint8Array)) {
    if (!(dtype === 'float16' && data instanceof Uint16Array)) {
      throw new NpyError('dtype', `writeNpy: dtype ${dtype} does not match a ${data.constructor.name}`);
    }
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const v1 = dict.length + 11 < 65536;
  const pre = v1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(total + body.length);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (v1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  out.set(body, total);
  if (!LITTLE_HOST) {
    const size = body.length / Math.max(n, 1);
    if (size > 1) swapBytes(out.subarray(total), size);
  }
  return out;
}
