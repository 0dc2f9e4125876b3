import { describe, expect, it } from 'vitest';
import {
  readSafetensors,
  type SafeTensor,
  SafetensorsError,
  tensorToFloat32,
  writeSafetensors,
} from './safetensors';

/**
 * An independent writer: the header text and every byte are given by the test, offsets and all,
 * with no padding and no reordering, so the reader is checked against the format itself.
 */
function rawFile(header: string, data: number[], headerLen?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const n = headerLen ?? h.length;
  const len = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => Math.floor(n / 2 ** (8 * i)) % 256);
  return new Uint8Array([...len, ...h, ...data]);
}

const f32le = (v: number) => [...new Uint8Array(new Float32Array([v]).buffer)];
const i64le = (v: bigint) => [...new Uint8Array(new BigInt64Array([v]).buffer)];

function expectError(f: () => unknown, msg: RegExp) {
  expect(f).toThrow(SafetensorsError);
  expect(f).toThrow(msg);
}

describe('readSafetensors on a file built byte by byte', () => {
  // U8 [3] at 0..3, then F32 [2] at 3..11 (unaligned: must be copied), I64 scalar at 11..19.
  const header = JSON.stringify({
    mask: { dtype: 'U8', shape: [3], data_offsets: [0, 3] },
    __metadata__: { format: 'pt', note: 'hand made' },
    w: { dtype: 'F32', shape: [2, 1], data_offsets: [3, 11] },
    n: { dtype: 'I64', shape: [], data_offsets: [11, 19] },
  });
  const file = rawFile(header, [1, 2, 3, ...f32le(1.5), ...f32le(-2), ...i64le(-7n)]);

  it('loads every tensor, its shape, dtype and metadata', () => {
    const f = readSafetensors(file);
    expect([...f.tensors.keys()]).toEqual(['mask', 'w', 'n']);
    expect(f.metadata).toEqual({ format: 'pt', note: 'hand made' });
    const w = f.tensors.get('w')!;
    expect(w.dtype).toBe('F32');
    expect(w.shape).toEqual([2, 1]);
    expect(w.data).toBeInstanceOf(Float32Array);
    expect(Array.from(w.data as Float32Array)).toEqual([1.5, -2]);
    expect(f.tensors.get('n')!.shape).toEqual([]);
    expect(Array.from(f.tensors.get('n')!.data as BigInt64Array)).toEqual([-7n]);
    expect(Array.from(f.tensors.get('mask')!.data as Uint8Array)).toEqual([1, 2, 3]);
  });

  it('copies an unaligned tensor and views an aligned one in place', () => {
    const f = readSafetensors(file);
    expect(f.tensors.get('w')!.data.buffer).not.toBe(file.buffer);
    expect(f.tensors.get('mask')!.data.buffer).toBe(file.buffer);
    expect(readSafetensors(file, { copy: true }).tensors.get('mask')!.data.buffer).not.toBe(file.buffer);
  });

  it('reads a Node Buffer that sits at an offset inside a larger buffer', () => {
    for (const pad of [1, 4, 8]) {
      const buf = Buffer.concat([Buffer.alloc(pad, 0xee), Buffer.from(file), Buffer.alloc(3, 0xee)]);
      const f = readSafetensors(buf.subarray(pad, buf.length - 3));
      expect(Array.from(f.tensors.get('w')!.data as Float32Array)).toEqual([1.5, -2]);
      expect(Array.from(f.tensors.get('n')!.data as BigInt64Array)).toEqual([-7n]);
      expect(Array.from(f.tensors.get('mask')!.data as Uint8Array)).toEqual([1, 2, 3]);
    }
  });

  it('accepts zero-sized tensors and tensors listed out of data order', () => {
    const h = JSON.stringify({
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
      empty: { dtype: 'F32', shape: [0, 3], data_offsets: [4, 4] },
      a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] },
    });
    const f = readSafetensors(rawFile(h, [5, 0, 0, 0, ...f32le(0.5)]));
    expect(Array.from(f.tensors.get('a')!.data as Int32Array)).toEqual([5]);
    expect(Array.from(f.tensors.get('b')!.data as Float32Array)).toEqual([0.5]);
    expect(f.tensors.get('empty')!.data.length).toBe(0);
  });
});

describe('readSafetensors refuses malformed files', () => {
  const t = (dtype: string, shape: number[], offs: number[]) => ({ dtype, shape, data_offsets: offs });
  const bytes8 = [0, 0, 0, 0, 0, 0, 0, 0];

  it('a gap between tensors', () => {
    const h = JSON.stringify({ a: t('F32', [1], [0, 4]), b: t('U8', [2], [6, 8]) });
    expectError(() => readSafetensors(rawFile(h, bytes8)), /gap .*bytes 4\.\.6 before tensor "b"/);
  });

  it('overlapping tensors', () => {
    const h = JSON.stringify({ a: t('F32', [2], [0, 8]), b: t('F32', [1], [4, 8]) });
    expectError(() => readSafetensors(rawFile(h, bytes8)), /"a" and "b" overlap/);
  });

  it('bytes after the last tensor, and a tensor past the end', () => {
    const h = JSON.stringify({ a: t('F32', [1], [0, 4]) });
    expectError(() => readSafetensors(rawFile(h, bytes8)), /4 bytes after the last tensor "a"/);
    const h2 = JSON.stringify({ a: t('F32', [4], [0, 16]) });
    expectError(() => readSafetensors(rawFile(h2, bytes8)), /"a" ends at 16, past the 8-byte data section/);
  });

  it('offsets that disagree with the dtype size', () => {
    const h = JSON.stringify({ a: t('F64', [2], [0, 8]) });
    expectError(
      () => readSafetensors(rawFile(h, bytes8)),
      /tensor "a": data_offsets \[0, 8\] span 8 bytes, but shape \[2\] of F64 needs 16/,
    );
  });

  it('bad JSON, a non-object header and a header length beyond the file', () => {
    expectError(() => readSafetensors(rawFile('{"a": ', bytes8)), /not valid UTF-8 JSON/);
    expectError(() => readSafetensors(rawFile('[1, 2]', [])), /not a JSON object/);
    expectError(
      () => readSafetensors(rawFile('{}', [], 1000)),
      /header length 1000 runs past the end of the 10-byte file/,
    );
    expectError(() => readSafetensors(new Uint8Array(5)), /5 bytes, less than the 8-byte header length/);
  });

  it('unknown dtypes, bad shapes, bad offsets and non-string metadata', () => {
    const cases: [object, RegExp][] = [
      [{ a: t('F8_E4M3', [8], [0, 8]) }, /tensor "a": unsupported dtype "F8_E4M3"/],
      [{ a: t('U8', [-8], [0, 8]) }, /tensor "a": shape \[-8\]/],
      [{ a: t('U8', [8], [8, 0]) }, /tensor "a": data_offsets \[8,0\]/],
      [{ a: { dtype: 'U8', shape: [8] } }, /tensor "a": data_offsets undefined/],
      [{ __metadata__: { epoch: 3 }, a: t('U8', [8], [0, 8]) }, /__metadata__\["epoch"\] is not a string/],
    ];
    for (const [h, msg] of cases) expectError(() => readSafetensors(rawFile(JSON.stringify(h), bytes8)), msg);
  });
});

describe('writeSafetensors', () => {
  const tensors: Record<string, SafeTensor> = {
    'bn1.num_batches_tracked': { dtype: 'I64', shape: [], data: new BigInt64Array([12n]) },
    'conv1.0.weight': { dtype: 'F32', shape: [2, 3, 1, 1], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) },
    labels: { dtype: 'I32', shape: [3], data: new Int32Array([-1, 0, 7]) },
    flags: { dtype: 'U8', shape: [5], data: new Uint8Array([1, 0, 1, 1, 0]) },
    d: { dtype: 'F64', shape: [1], data: new Float64Array([Math.PI]) },
    h: { dtype: 'F16', shape: [1], data: new Uint16Array([0x3c00]) },
  };

  it('round-trips tensors and metadata', () => {
    const bytes = writeSafetensors(tensors, { format: 'pt', emb_dims: '1024' });
    const f = readSafetensors(bytes);
    expect(f.metadata).toEqual({ format: 'pt', emb_dims: '1024' });
    expect(new Set(f.tensors.keys())).toEqual(new Set(Object.keys(tensors)));
    for (const [name, t] of Object.entries(tensors)) {
      const back = f.tensors.get(name)!;
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(back.data.constructor).toBe(t.data.constructor);
      expect(Array.from(back.data as ArrayLike<number>)).toEqual(Array.from(t.data as ArrayLike<number>));
    }
  });

  it('pads the header with spaces to a multiple of 8 and aligns every tensor for a view', () => {
    const bytes = writeSafetensors(tensors, { a: 'b' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    const f = readSafetensors(bytes);
    for (const t of f.tensors.values()) expect(t.data.buffer).toBe(bytes.buffer); // all views, no copies
  });

  it('writes a file the byte-level reader conventions agree with', () => {
    // One F32 tensor: header {"x":{...}} then 4 bytes; offsets must be [0, 4].
    const bytes = writeSafetensors({ x: { dtype: 'F32', shape: [1], data: new Float32Array([2]) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    expect([...bytes.subarray(8 + n)]).toEqual(f32le(2));
  });

  it('refuses data that does not match its dtype or shape', () => {
    expectError(
      () => writeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float64Array(2) } }),
      /tensor "a": dtype F32 does not match a Float64Array/,
    );
    expectError(
      () => writeSafetensors({ a: { dtype: 'I32', shape: [2, 2], data: new Int32Array(3) } }),
      /tensor "a": shape \[2, 2\] does not hold its 3 elements/,
    );
  });
});

describe('tensorToFloat32', () => {
  it('decodes F16 and BF16 bits and narrows F64', () => {
    // F16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -inf, NaN
    const h = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0xfc00, 0x7e00]);
    const f = tensorToFloat32({ dtype: 'F16', shape: [6], data: h });
    expect(Array.from(f)).toEqual([1, -2, 65504, 2 ** -24, Number.NEGATIVE_INFINITY, Number.NaN]);
    // BF16: 1, -0.5, 3.140625 (0x4049)
    const b = tensorToFloat32({ dtype: 'BF16', shape: [3], data: new Uint16Array([0x3f80, 0xbf00, 0x4049]) });
    expect(Array.from(b)).toEqual([1, -0.5, 3.140625]);
    expect(Array.from(tensorToFloat32({ dtype: 'F64', shape: [1], data: new Float64Array([0.1]) }))).toEqual([
      Math.fround(0.1),
    ]);
    expect(() => tensorToFloat32({ dtype: 'I32', shape: [1], data: new Int32Array(1) })).toThrow(
      'not a float tensor',
    );
  });
});
