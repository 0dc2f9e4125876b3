import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors';
import { decodePngRgb } from './png';
import { type FileLike, indexShapeNetFiles, loadShapeNetObject } from './shapenet-folder';
import { readShapeNetFolder } from './shapenet-folder.node';

// A tiny folder in CrossPoint's layout, written by the test (no real ShapeNet rendering is public).
const ply = (n: number) =>
  new TextEncoder().encode(
    `ply\nformat ascii 1.0\nelement vertex ${n}\nproperty float x\nproperty float y\nproperty float z\nend_header\n` +
      Array.from({ length: n }, (_, i) => `${i} ${i * 0.5} -1`).join('\n'),
  );
/** A 5×3 RGBA view whose pixel i is (i, 2i, 3i, alpha 7). */
const rgba = () =>
  encode({
    width: 5,
    height: 3,
    channels: 4,
    depth: 8,
    data: Uint8Array.from({ length: 60 }, (_, k) => (k % 4 === 3 ? 7 : ((k >> 2) * ((k % 4) + 1)) & 255)),
  });
const grey16 = () =>
  encode({
    width: 2,
    height: 2,
    channels: 1,
    depth: 16,
    data: Uint16Array.from([0, 0x1234, 0xff00, 0xffff]),
  });

const layout: Record<string, Uint8Array> = {
  'ShapeNet/02691156/planeA.ply': ply(4),
  'ShapeNet/02691156/planeB.ply': ply(2),
  'ShapeNet/04379243/tableA.ply': ply(3),
  'ShapeNetRendering/02691156/planeA/rendering/01.png': grey16(),
  'ShapeNetRendering/02691156/planeA/rendering/00.png': rgba(),
  'ShapeNetRendering/02691156/planeA/rendering/rendering_metadata.txt': new TextEncoder().encode('0 0 0 0 0'),
  'ShapeNetRendering/04379243/tableA/rendering/00.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]),
  'ShapeNetRendering/03001627/chairOrphan/rendering/00.png': rgba(),
};

const root = mkdtempSync(join(tmpdir(), 'crosspoint-shapenet-'));
for (const [p, b] of Object.entries(layout)) {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), b);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ShapeNet folder (CrossPoint layout)', () => {
  it('pairs clouds with their views from a Node folder, lazily', async () => {
    const idx = await readShapeNetFolder(root);
    expect(idx.objects.map((o) => `${o.synset}/${o.objectId}`)).toEqual([
      '02691156/planeA',
      '04379243/tableA',
    ]);
    expect(idx.synsets).toEqual(['02691156', '04379243']);
    expect(idx.objects[0]!.category).toBe('airplane');
    expect(idx.objects[0]!.views.map((v) => v.name)).toEqual(['00.png', '01.png']);
    expect(idx.warnings).toEqual([
      '1 clouds have no rendered views and were left out',
      '1 rendering folders have no cloud and were left out',
    ]);
    const { cloud, views } = await loadShapeNetObject(idx.objects[0]!);
    expect(cloud.points.length).toBe(12);
    expect(Array.from(cloud.points.subarray(3, 6))).toEqual([1, 0.5, -1]);
    expect(views[0]!.width).toBe(5);
    // Pixel 4 of the RGBA view: (4, 8, 12); alpha dropped, as PIL's convert('RGB').
    expect(Array.from(views[0]!.rgb.subarray(12, 15))).toEqual([4, 8, 12]);
    // 16-bit grey keeps the high byte on all three channels.
    expect(Array.from(views[1]!.rgb)).toEqual([
      0, 0, 0, 0x12, 0x12, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
  });

  it('the browser variant takes File-like entries with bytes, and a broken view is refused by path', async () => {
    const files: FileLike[] = Object.entries(layout).map(([path, bytes]) => ({
      name: path.split('/').pop()!,
      path: `drop/${path}`,
      bytes,
    }));
    const idx = indexShapeNetFiles(files);
    const table = idx.objects.find((o) => o.objectId === 'tableA')!;
    await expect(loadShapeNetObject(table)).rejects.toThrow(
      /^drop\/ShapeNetRendering\/04379243\/tableA\/rendering\/00\.png: byte 0: not a PNG file/,
    );
    const one = await loadShapeNetObject(idx.objects[0]!, [1]);
    expect(one.views.length).toBe(1);
    expect(one.views[0]!.width).toBe(2);
  });

  it('a folder without the layout is refused, naming what it found', () => {
    expect(() => indexShapeNetFiles([{ name: 'a.ply', path: 'x/a.ply', bytes: ply(1) }], 'x')).toThrow(
      /^x: folder layout: no object has both .* \(0 clouds, 0 rendering folders found\)/,
    );
    try {
      indexShapeNetFiles([], 'y');
    } catch (e) {
      expect(e).toBeInstanceOf(DataFormatError);
    }
  });

  it('PNG decoding: palette images expand, huge declared sizes and truncation are refused', () => {
    const pal = encode({
      width: 2,
      height: 1,
      channels: 1,
      depth: 8,
      data: Uint8Array.from([1, 0]),
      palette: [
        [10, 20, 30],
        [40, 50, 60],
      ],
    });
    expect(Array.from(decodePngRgb('p.png', pal).rgb)).toEqual([40, 50, 60, 10, 20, 30]);
    const big = rgba().slice();
    new DataView(big.buffer).setUint32(16, 100_000);
    new DataView(big.buffer).setUint32(20, 100_000);
    expect(() => decodePngRgb('big.png', big)).toThrow(
      /^big\.png: byte 16: a 100000×100000 image is empty or too large/,
    );
    expect(() => decodePngRgb('cut.png', rgba().slice(0, 40))).toThrow(
      /^cut\.png: byte 8: PNG could not be decoded/,
    );
  });
});
