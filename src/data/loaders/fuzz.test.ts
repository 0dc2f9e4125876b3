import fc from 'fast-check';
import h5wasm from 'h5wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors';
import { loadHdf5 } from './hdf5';
import { loadModelNetText } from './modelnet40-txt';
import { loadObj } from './obj';
import { loadOff } from './off';
import { loadPly } from './ply';
import { haveSharedData, readSharedFile } from '../../../test/shared-data';
import { loadShapeNetPartText } from './shapenetpart-txt';

/**
 * Property tests: whatever bytes a reader gets — random, or a real file mutated — it returns a
 * shape or throws DataFormatError; never another exception, never a hang (each run is bounded by
 * the file size), and headers that claim huge counts are refused before anything is allocated.
 */

type Reader = (name: string, bytes: Uint8Array) => unknown;

/** Runs a reader and classifies the outcome; anything but success or DataFormatError fails. */
async function outcome(read: Reader, bytes: Uint8Array): Promise<'ok' | 'refused'> {
  try {
    await read('fuzz.bin', bytes);
    return 'ok';
  } catch (e) {
    if (e instanceof DataFormatError) {
      expect(e.message.startsWith('fuzz.bin: ')).toBe(true);
      return 'refused';
    }
    throw new Error(`reader threw ${(e as Error)?.name}: ${(e as Error)?.message} on ${bytes.length} bytes`);
  }
}

/** Byte-level mutations of a seed: flip bytes, truncate, insert, splice in digits. */
function mutated(seed: Uint8Array) {
  const at = fc.nat({ max: Math.max(0, seed.length - 1) });
  const flip = fc
    .array(fc.tuple(at, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const b = seed.slice();
      for (const [i, v] of edits) b[i] = v;
      return b;
    });
  const truncate = at.map((n) => seed.slice(0, n));
  const insert = fc
    .tuple(at, fc.uint8Array({ minLength: 1, maxLength: 32 }))
    .map(([i, ins]) => concat(seed.subarray(0, i), ins, seed.subarray(i)));
  const digits = fc
    .tuple(at, fc.stringMatching(/^[0-9]{1,14}$/))
    .map(([i, d]) => concat(seed.subarray(0, i), new TextEncoder().encode(d), seed.subarray(i)));
  return fc.oneof(flip, truncate, insert, digits);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

// The mutation seeds are real files of shared/data; the other properties need nothing outside the repo.
const HAVE = haveSharedData('the fuzz tests that mutate real files');

const SEEDS: [string, Reader, string][] = [
  ['PLY ascii mesh', loadPly, 'ply/ply-rs/house_ok_ascii.ply'],
  ['PLY ascii, CRLF + extra face property', loadPly, 'ply/trimesh/metadata.ply'],
  ['PLY binary little endian', loadPly, 'ply/ply-rs/tetrahedron_little_endian.ply'],
  ['PLY binary big endian', loadPly, 'ply/ply-rs/tetrahedron_big_endian.ply'],
  ['PLY binary double + list int int', loadPly, 'ply/ply-rs/diverse_field_formats/doubles_ints.ply'],
  ['PLY binary, CR-only header, 3 elements', loadPly, 'ply/draco/Box.ply'],
  ['OFF', loadOff, 'off/trimesh/comments.off'],
  ['OBJ', loadObj, 'obj/trimesh/negative_indices.obj'],
];

describe('readers never fail other than with DataFormatError', () => {
  const readers: [string, Reader][] = [
    ['PLY', loadPly],
    ['OFF', loadOff],
    ['OBJ', loadObj],
    ['ModelNet40 text', loadModelNetText],
    ['ShapeNetPart text', loadShapeNetPartText],
    ['HDF5', loadHdf5],
  ];
  it.each(readers)('%s: random bytes', async (_name, read) => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (b) => {
        await outcome(read, b);
      }),
      { numRuns: 150, seed: 1 },
    );
  });

  it.skipIf(!HAVE).each(SEEDS)('%s: mutated real file', async (_name, read, rel) => {
    const seed = readSharedFile(rel);
    expect(await outcome(read, seed)).toBe('ok');
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutated(seed), async (b) => {
        if ((await outcome(read, b)) === 'refused') refused++;
      }),
      { numRuns: 250, seed: 2 },
    );
    expect(refused).toBeGreaterThan(0); // the mutations do reach the checks
  });

  it.skipIf(!HAVE).each([
    ['ModelNet40 text', loadModelNetText, 'modelnet40_normal_resampled/chair/chair_0454.txt'],
    [
      'ShapeNetPart text',
      loadShapeNetPartText,
      'shapenetpart_sample/02954340/18387b36aa7b2d4af0d11ae402ef940e.txt',
    ],
  ] as [string, Reader, string][])('%s: mutated head of a real file', async (_name, read, rel) => {
    const seed = readSharedFile(rel).slice(0, 1500);
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutated(seed), async (b) => {
        if ((await outcome(read, b)) === 'refused') refused++;
      }),
      { numRuns: 200, seed: 3 },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('PLY: a grammar of plausible headers over random bodies', async () => {
    const type = fc.constantFrom(
      'char',
      'uchar',
      'short',
      'ushort',
      'int',
      'uint',
      'float',
      'double',
      'int64',
      'float16',
    );
    const prop = fc.oneof(
      fc.tuple(type, fc.constantFrom('x', 'y', 'z', 'nx', 'red')).map(([t, n]) => `property ${t} ${n}`),
      fc
        .tuple(
          fc.constantFrom('uchar', 'int', 'uint', 'float'),
          type,
          fc.constantFrom('vertex_indices', 'vertex_index', 'l'),
        )
        .map(([c, t, n]) => `property list ${c} ${t} ${n}`),
    );
    const element = fc
      .tuple(
        fc.constantFrom('vertex', 'face', 'point', 'edge'),
        fc.oneof(fc.nat({ max: 20 }), fc.constantFrom(1e9, 4294967295, 1e12)),
        fc.array(prop, { maxLength: 6 }),
      )
      .map(([n, c, ps]) => [`element ${n} ${c}`, ...ps].join('\n'));
    const fmt = fc.constantFrom('ascii', 'binary_little_endian', 'binary_big_endian');
    const header = fc
      .tuple(fmt, fc.array(element, { minLength: 1, maxLength: 3 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([f, els, eol]) =>
        ['ply', `format ${f} 1.0`, ...els, 'end_header', ''].join('\n').replaceAll('\n', eol),
      );
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc
        .array(
          fc.oneof(
            fc.integer({ min: -3, max: 30 }).map(String),
            fc.constantFrom('1.5', 'nan', 'inf', '-0', 'x'),
          ),
          { maxLength: 80 },
        )
        .map((t) => text(t.join(' '))),
    );
    await fc.assert(
      fc.asyncProperty(header, body, async (h, b) => {
        await outcome(loadPly, concat(text(h), b));
      }),
      { numRuns: 400, seed: 4 },
    );
  });
});

describe('huge declared counts are refused before allocation', () => {
  const ply = (fmt: string, count: string, body = '') =>
    text(
      `ply\nformat ${fmt} 1.0\nelement vertex ${count}\nproperty float x\nproperty float y\nproperty float z\nend_header\n${body}`,
    );

  it.each([
    ['binary_little_endian', '1000000000000', /declares 1000000000000 rows \(too many\)/],
    ['binary_little_endian', '4000000000', /at least 48000000000 bytes.*only 12 bytes follow/],
    ['ascii', '1000000000', /at least 6000000000 bytes.*only 12 bytes follow/],
    ['binary_big_endian', '99999999999999999999', /too many/],
  ])('PLY %s with %s vertices', (fmt, count, msg) => {
    const e = (() => {
      try {
        loadPly('big.ply', ply(fmt, count, '0 0 0 1 1 1\n'));
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(DataFormatError);
    expect(e!.message).toMatch(/^big\.ply: line 3: /);
    expect(e!.message).toMatch(msg);
  });

  it('PLY face list whose count runs past the end', () => {
    const head =
      'ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uint int vertex_indices\nend_header\n';
    const body = new Uint8Array(12 + 4 + 8);
    new DataView(body.buffer).setUint32(12, 0xffffffff, true);
    expect(() => loadPly('list.ply', concat(text(head), body))).toThrow(
      /list\.ply: byte \d+: face row 0 of 1 is cut short/,
    );
  });

  it('OFF and text readers', () => {
    expect(() => loadOff('big.off', text('OFF\n1000000000000 1 0\n0 0 0\n'))).toThrow(
      /big\.off: line 2: the file declares 1000000000000 vertices and 1 faces but has only \d+ more lines/,
    );
    expect(() => loadModelNetText('e.txt', text('\n\n'))).toThrow(/e\.txt: line 1: the file is empty/);
    expect(() => loadObj('e.obj', text('# nothing\n'))).toThrow(/e\.obj: line 2: the file holds no vertices/);
  });

  it('HDF5 datasets larger than the file could hold are refused; gzip-chunked data reads', async () => {
    const { FS } = await h5wasm.ready;
    const f = new h5wasm.File('/fuzz-seed.h5', 'w');
    const data = new Float32Array(2 * 64 * 3).map((_, i) => Math.sin(i));
    f.create_dataset({ name: 'data', data, shape: [2, 64, 3], chunks: [1, 16, 3], compression: 'gzip' });
    f.create_dataset({ name: 'label', data: new BigInt64Array([3n, 5n]), shape: [2] });
    f.create_dataset({ name: 'pid', data: new Int16Array(128).fill(2), shape: [2, 64] });
    f.close();
    const bytes = FS.readFile('/fuzz-seed.h5') as Uint8Array;
    FS.unlink('/fuzz-seed.h5');
    const s = await loadHdf5('seed.h5', bytes);
    expect(Array.from(s.labels!)).toEqual([3, 5]);
    expect(s.pointLabels!.length).toBe(128);
    expect(s.points[7]).toBe(data[7]);
    // Every truncation of it is either read or refused.
    for (let n = 0; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 60))) {
      await outcome(loadHdf5, bytes.slice(0, n));
    }
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(mutated(bytes), async (b) => {
        if ((await outcome(loadHdf5, b)) === 'refused') refused++;
      }),
      { numRuns: 150, seed: 5 },
    );
    expect(refused).toBeGreaterThan(0);
    // The library is still usable after all those failures.
    const again = await loadHdf5('seed.h5', bytes);
    expect(again.count).toBe(2);
    expect(again.points[7]).toBe(data[7]);
  });
});

beforeAll(async () => {
  await h5wasm.ready;
});
