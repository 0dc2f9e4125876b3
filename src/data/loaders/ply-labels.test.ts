import { describe, expect, it } from 'vitest';
import { loadPly } from './ply';

// Per-vertex part labels in PLY files: the property names segmentation exporters use, in ascii
// and both binary encodings, integer or float typed; a label column that is not whole numbers
// is left out with a warning instead of failing the file.

const enc = new TextEncoder();

/** An ascii PLY with vertex properties `props` (after x y z) and these rows. */
function asciiPly(props: string[], rows: number[][], faces: number[][] = []): Uint8Array {
  const head = [
    'ply',
    'format ascii 1.0',
    `element vertex ${rows.length}`,
    'property float x',
    'property float y',
    'property float z',
    ...props,
    ...(faces.length ? [`element face ${faces.length}`, 'property list uchar int vertex_indices'] : []),
    'end_header',
  ];
  const body = [...rows.map((r) => r.join(' ')), ...faces.map((f) => `${f.length} ${f.join(' ')}`)];
  return enc.encode(`${[...head, ...body].join('\n')}\n`);
}

/** A binary PLY: float x y z then one label of `type` (`uchar`, `int` or `float`) per vertex. */
function binaryPly(littleEndian: boolean, name: string, type: 'uchar' | 'int' | 'float', labels: number[]) {
  const size = type === 'uchar' ? 1 : 4;
  const head = enc.encode(
    [
      'ply',
      `format binary_${littleEndian ? 'little' : 'big'}_endian 1.0`,
      `element vertex ${labels.length}`,
      'property float x',
      'property float y',
      'property float z',
      `property ${type} ${name}`,
      'end_header',
      '',
    ].join('\n'),
  );
  const body = new DataView(new ArrayBuffer(labels.length * (12 + size)));
  labels.forEach((l, i) => {
    const o = i * (12 + size);
    for (let d = 0; d < 3; d++) body.setFloat32(o + 4 * d, i + d * 0.5, littleEndian);
    if (type === 'uchar') body.setUint8(o + 12, l);
    else if (type === 'int') body.setInt32(o + 12, l, littleEndian);
    else body.setFloat32(o + 12, l, littleEndian);
  });
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head, 0);
  out.set(new Uint8Array(body.buffer), head.length);
  return out;
}

const XYZ = [
  [0, 0, 0],
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

describe('PLY part labels', () => {
  it.each(['label', 'part', 'pid', 'scalar_label', 'class'])('reads an ascii `%s` column', (name) => {
    const s = loadPly(
      'shape.ply',
      asciiPly(
        [`property int ${name}`],
        XYZ.map((p, i) => [...p, 12 + i]),
      ),
    );
    expect([...s.pointLabels!]).toEqual([12, 13, 14, 15]);
    expect([...s.points]).toEqual(XYZ.flat());
    expect(s.properties).toContain(name);
  });

  it('reads uchar, int and float labels in both binary byte orders', () => {
    for (const le of [true, false]) {
      expect([...loadPly('a.ply', binaryPly(le, 'pid', 'uchar', [6, 7, 7, 255])).pointLabels!]).toEqual([
        6, 7, 7, 255,
      ]);
      expect([...loadPly('b.ply', binaryPly(le, 'label', 'int', [47, -1, 49, 48])).pointLabels!]).toEqual([
        47, -1, 49, 48,
      ]);
      const f = loadPly('c.ply', binaryPly(le, 'scalar_label', 'float', [24, 25, 27, 26]));
      expect([...f.pointLabels!]).toEqual([24, 25, 27, 26]);
      // The coordinates still decode around the label column.
      expect(f.points[3 * 2 + 1]).toBeCloseTo(2.5, 6);
    }
  });

  it('prefers a part column over a generic label, and keeps colours and normals', () => {
    const s = loadPly(
      'both.ply',
      asciiPly(
        [
          'property float nx',
          'property float ny',
          'property float nz',
          'property int label',
          'property int part',
        ],
        XYZ.map((p, i) => [...p, 0, 0, 1, 99, 8 + i]),
      ),
    );
    expect([...s.pointLabels!]).toEqual([8, 9, 10, 11]);
    expect(s.normals![2]).toBe(1);
  });

  it('labels the vertices of a mesh', () => {
    const s = loadPly(
      'mesh.ply',
      asciiPly(
        ['property uchar label'],
        XYZ.map((p, i) => [...p, i % 2 ? 29 : 28]),
        [
          [0, 1, 2],
          [0, 2, 3],
        ],
      ),
    );
    expect(s.faces!.length).toBe(6);
    expect([...s.pointLabels!]).toEqual([28, 29, 28, 29]);
  });

  it('a column of fractions is not read as labels; the file still loads and says why', () => {
    const s = loadPly('frac.ply', binaryPly(true, 'label', 'float', [1, 2.5, 3, 4]));
    expect(s.pointLabels).toBeUndefined();
    expect(s.points.length).toBe(12);
    expect(s.warnings.join(' ')).toContain("property 'label' of vertex 1 is 2.5, not a whole number");
  });

  it('no label property, no labels', () => {
    const s = loadPly(
      'plain.ply',
      asciiPly(
        ['property uchar red'],
        XYZ.map((p) => [...p, 200]),
      ),
    );
    expect(s.pointLabels).toBeUndefined();
    expect(s.warnings).toEqual([]);
  });
});
