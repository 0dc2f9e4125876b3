import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from './npy';

// Files written by NumPy 2.4 (numpy.lib.format.write_array), base64-encoded.
const NUMPY = {
  // np.arange(6, dtype='<f4').reshape(2, 3) / 4
  f4: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8=',
  // np.array([1, -2, 3000000000], dtype='>i8')
  i8be: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAf/////////+AAAAALLQXgA=',
  // version 2.0: np.array([[1.5], [-2.25]], dtype='<f8')
  f8v2: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMSksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAALA',
  // version 3.0: np.array([7, 65535], dtype='>u2')
  u2v3: 'k05VTVBZAwB0AAAAeydkZXNjcic6ICc+dTInLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAB///',
  // np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3))
  fortran:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=',
  // np.array([True, False, True])
  b1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfGIxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=',
  // np.array(2.5, dtype='<f4'), shape ()
  scalar:
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAACBA',
  // np.zeros(2, dtype=[('a', '<f4')])
  struct:
    'k05VTVBZAQB2AHsnZGVzY3InOiBbKCdhJywgJzxmNCcpXSwgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAA==',
  // np.zeros(2, dtype='<c8')
  c8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGM4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAAA',
};
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Builds a version-1 file by hand from a header dict and raw data bytes (no padding rules). */
function handMade(dict: string, data: number[] = [], version = 1): Uint8Array {
  const h = Array.from(dict, (c) => c.charCodeAt(0));
  const len = version === 1 ? [h.length & 255, h.length >> 8] : [h.length & 255, h.length >> 8, 0, 0];
  return new Uint8Array([0x93, 78, 85, 77, 80, 89, version, 0, ...len, ...h, ...data]);
}

function expectNpyError(f: () => unknown, kind: string, msg: string | RegExp) {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NpyError);
  expect((err as NpyError).kind).toBe(kind);
  expect((err as NpyError).message).toMatch(msg);
}

describe('readNpy on files written by NumPy', () => {
  it('reads <f4 with a 2-D shape', () => {
    const a = readNpy(b64(NUMPY.f4));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data as Float32Array)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it('converts big-endian >i8 to BigInt64Array', () => {
    const a = readNpy(b64(NUMPY.i8be));
    expect(a.dtype).toBe('int64');
    expect(a.shape).toEqual([3]);
    expect(Array.from(a.data as BigInt64Array)).toEqual([1n, -2n, 3000000000n]);
  });

  it('reads a Node Buffer that sits at an odd offset of a larger buffer', () => {
    const buf = Buffer.concat([
      Buffer.alloc(3, 0xee),
      Buffer.from(NUMPY.i8be, 'base64'),
      Buffer.alloc(5, 0xee),
    ]);
    const a = readNpy(buf.subarray(3, buf.length - 5));
    expect(Array.from(a.data as BigInt64Array)).toEqual([1n, -2n, 3000000000n]);
    expect(a.data.byteOffset).toBe(0);
  });

  it('reads version 2.0 and 3.0 headers', () => {
    const a = readNpy(b64(NUMPY.f8v2));
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([2, 1]);
    expect(Array.from(a.data as Float64Array)).toEqual([1.5, -2.25]);
    const b = readNpy(b64(NUMPY.u2v3));
    expect(b.dtype).toBe('uint16');
    expect(Array.from(b.data as Uint16Array)).toEqual([7, 65535]);
  });

  it('reads |b1 and a 0-d scalar', () => {
    const a = readNpy(b64(NUMPY.b1));
    expect(a.dtype).toBe('bool');
    expect(Array.from(a.data as Uint8Array)).toEqual([1, 0, 1]);
    const s = readNpy(b64(NUMPY.scalar));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data as Float32Array)).toEqual([2.5]);
  });

  it('refuses Fortran order, structured and complex dtypes by name', () => {
    expectNpyError(() => readNpy(b64(NUMPY.fortran)), 'fortran', /Fortran order/);
    expectNpyError(() => readNpy(b64(NUMPY.struct)), 'header', /structured dtypes/);
    expectNpyError(() => readNpy(b64(NUMPY.c8)), 'dtype', /unsupported \.npy dtype '<c8'/);
  });
});

describe('readNpy on hand-made files', () => {
  it('accepts keys in any order, double quotes and no trailing comma', () => {
    const a = readNpy(
      handMade(`{"shape": (2,), "fortran_order": False, "descr": "<i2"}\n`, [1, 0, 0xff, 0xff]),
    );
    expect(a.dtype).toBe('int16');
    expect(Array.from(a.data as Int16Array)).toEqual([1, -1]);
  });

  it('converts every big-endian width', () => {
    const cases: [string, number[], number[]][] = [
      ['>f4', [0x3f, 0x80, 0, 0], [1]],
      ['>f8', [0xc0, 0, 0, 0, 0, 0, 0, 0], [-2]],
      ['>i4', [0xff, 0xff, 0xff, 0xfe], [-2]],
      ['>u4', [0, 0, 1, 2], [258]],
      ['>i2', [0x80, 0], [-32768]],
      ['|i1', [0xff], [-1]],
      ['|u1', [200], [200]],
    ];
    for (const [descr, bytes, want] of cases) {
      const a = readNpy(handMade(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, bytes));
      expect(Array.from(a.data as ArrayLike<number>), descr).toEqual(want);
    }
  });

  it('names the problem in each malformed file', () => {
    expectNpyError(() => readNpy(new Uint8Array([1, 2, 3])), 'magic', /not a \.npy file \(only 3 bytes\)/);
    expectNpyError(() => readNpy(new TextEncoder().encode('PK\x03\x04 zip file...')), 'magic', /magic/);
    const good = handMade(
      `{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }`,
      [0, 0, 0, 0, 0, 0, 0, 0],
    );
    expectNpyError(
      () => readNpy(good.subarray(0, good.length - 1)),
      'truncated',
      /needs 8 data bytes, file has 7/,
    );
    expectNpyError(() => readNpy(good.subarray(0, 20)), 'truncated', /header of \d+ bytes runs past the end/);
    const v9 = good.slice();
    v9[6] = 9;
    expectNpyError(() => readNpy(v9), 'version', /version 9\.0/);
    expectNpyError(
      () => readNpy(handMade(`{'descr': '<f4', 'shape': (2,), }`)),
      'header',
      /no boolean 'fortran_order'/,
    );
    expectNpyError(
      () => readNpy(handMade(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }`)),
      'header',
      /expected a dimension/,
    );
    expectNpyError(
      () => readNpy(handMade(`{'descr': '<f4', 'fortran_order': Nope, 'shape': (2,), }`)),
      'header',
      /unexpected value/,
    );
    expectNpyError(
      () => readNpy(handMade(`{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }`)),
      'dtype',
      /'<U5'/,
    );
    expectNpyError(
      () => readNpy(handMade(`{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }`)),
      'dtype',
      /'\|f4'/,
    );
  });
});

describe('writeNpy', () => {
  it('writes exactly the bytes NumPy writes', () => {
    const f = new Float32Array([0, 0.25, 0.5, 0.75, 1, 1.25]);
    expect(Buffer.from(writeNpy(f, [2, 3])).toString('base64')).toBe(NUMPY.f4);
    const b = writeNpy(new Uint8Array([1, 0, 1]), [3], 'bool');
    expect(Buffer.from(b).toString('base64')).toBe(NUMPY.b1);
  });

  it('round-trips float32, int32 and int64 with the data 64-byte aligned', () => {
    const arrays = [
      { data: new Float32Array([1.5, -0, Number.POSITIVE_INFINITY, 3e-39]), shape: [2, 2] },
      { data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]), shape: [3, 1] },
      { data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]), shape: [2] },
      { data: new Float32Array(0), shape: [0, 5] },
    ];
    for (const { data, shape } of arrays) {
      const bytes = writeNpy(data, shape);
      expect((bytes.length - data.byteLength) % 64).toBe(0);
      const back = readNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(
        Array.from(data as ArrayLike<number | bigint>),
      );
    }
  });

  it('refuses data that does not fill the shape', () => {
    expectNpyError(() => writeNpy(new Float32Array(5), [2, 3]), 'shape', /holds 6 elements, data has 5/);
  });
});
