import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupGpu } from '../../test/gpu';
import { haveSharedData, readSharedFile } from '../../test/shared-data';
import { readFolderIndex } from '../data/folder-files.node';
import { decodePngRgb } from '../data/loaders/png';
import { encodePly } from '../data/ply-write';
import { encodeRgbaPng } from '../data/png';
import { writeSampleSet } from '../data/sample-export';
import { generateSampleSet } from '../data/sample-set';
import { resizeToRgba8, trainingDataFromFolder } from './training-data-folder';

const gpu = setupGpu();
const HAVE = haveSharedData('the folder tests with real broken files and meshes');
const root = mkdtempSync(join(tmpdir(), 'crosspoint-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const S = 12;
const N = 48;

describe("trainingDataFromFolder: CrossPoint's layout, as `crosspoint sample` writes it", () => {
  const dir = join(root, 'sample');
  beforeAll(async () => {
    const set = generateSampleSet({ perClass: 2, points: 64, views: 2, imageSize: 16, seed: 5 });
    await writeSampleSet(gpu(), set, dir);
  });

  it('loads every object, resizes its views into the tensor, and splits 20 % per class', async () => {
    const index = await readFolderIndex(dir);
    expect(index.layout).toBe('crosspoint');
    expect(index.objects.length).toBe(26);
    expect(index.evalFiles.map((e) => e.file.path)).toEqual(['test.h5', 'train.h5']);
    const data = await trainingDataFromFolder(gpu(), index, { points: N, views: 2, imageSize: S, seed: 1 });
    try {
      expect(data.report).toMatchObject({ picked: 26, loaded: 26, skipped: [], warnings: [] });
      expect(data.summary.classes.length).toBe(13);
      expect(data.summary.classes[0]).toBe('airplane');
      expect(data.testIndices.length).toBe(13); // one of each class's two
      // Object 3's view 1 is its PNG resized exactly as resizeToRgba8 does, kept as 8-bit RGBA.
      const obj = index.objects.find((o) => o.id === data.ids[3])!;
      const png = decodePngRgb('v', readFileSync(join(dir, obj.views[1]!.path)));
      expect(data.images).toBeUndefined();
      expect(Array.from(await data.views8!.read(3 * 2 + 1))).toEqual(Array.from(resizeToRgba8(png, S)));
      expect(data.hostClouds[3]!.length).toBe(N * 3);
    } finally {
      data.destroy();
    }
  });

  it('a set over the budget for views is refused before anything is read, naming the budget and what to lower', async () => {
    const index = await readFolderIndex(dir);
    const budget = 26 * (2 * S * S * 4 + N * 12) - 1; // one byte short of the 26 objects
    await expect(
      trainingDataFromFolder(gpu(), index, {
        points: N,
        views: 2,
        imageSize: S,
        seed: 1,
        budget,
        lower: 'the views',
      }),
    ).rejects.toThrow(
      "sample: 26 objects × 2 views of 12×12 (8-bit RGBA) and 48 points take 0.04 MiB, over the tab's 0.04 MiB budget for a dataset (it holds 25 such objects): lower the views",
    );
  });

  it.skipIf(!HAVE)(
    'trains on the good objects of a folder with broken files, and lists the bad ones with their reasons',
    async () => {
      const index0 = await readFolderIndex(dir);
      const [a, b, c, d] = index0.objects;
      const at = (p: string) => join(dir, p);
      writeFileSync(at(a!.shape.path), readSharedFile('ply/assimp/issue623.ply')); // a broken PLY: object lost
      const nan = new Float32Array(30).map((_, i) => (i === 4 ? Number.NaN : i / 30));
      writeFileSync(at(b!.shape.path), encodePly(nan)); // a NaN point: the object is left out, named
      writeFileSync(at(c!.views[0]!.path), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2])); // not a PNG: view skipped
      writeFileSync(at(d!.views[1]!.path), encodeRgbaPng(new Uint8Array(5 * 5 * 4).fill(200), 5, 5)); // wrong size
      // A 16-bit grey view: another mode, converted with a note.
      writeFileSync(
        at(d!.views[0]!.path),
        encode({ width: 16, height: 16, channels: 1, depth: 16, data: new Uint16Array(256).fill(40000) }),
      );
      mkdirSync(at('junk'), { recursive: true });
      writeFileSync(at('junk/notes.docx'), 'x');
      const index = await readFolderIndex(dir);
      const data = await trainingDataFromFolder(gpu(), index, { points: N, views: 2, imageSize: S, seed: 1 });
      try {
        expect(data.report.loaded).toBe(24);
        expect(data.ids).not.toContain(a!.id);
        expect(data.ids).not.toContain(b!.id);
        expect(data.ids).toContain(c!.id);
        expect(data.ids).toContain(d!.id);
        expect(data.report.skipped.map((s) => s.file)).toEqual([
          'junk/notes.docx',
          a!.shape.path,
          b!.shape.path,
        ]);
        expect(data.report.skipped[1]!.problem).toMatch(
          new RegExp(`^vertex row 0: .*; object ${a!.id} left out$`),
        );
        expect(data.report.skipped[2]!.problem).toBe(
          `point 1 has a non-finite coordinate (y = NaN); NaN and infinite coordinates are refused; object ${b!.id} left out`,
        );
        expect(data.report.warnings.map((w) => w.file)).toEqual([
          c!.views[0]!.path,
          d!.views[0]!.path,
          d!.views[1]!.path,
        ]);
        expect(data.report.warnings[1]!.problem).toBe(
          'a 16-bit grey PNG where views are 8-bit RGB(A); converted to RGB',
        );
        expect(data.report.warnings[0]!.problem).toMatch(/not a PNG file .*; view skipped$/);
        expect(data.report.warnings[2]!.problem).toMatch(
          /^a 5×5 view where the object's first is 16×16; resized/,
        );
        // The object whose first view is broken repeats its good one.
        const ci = data.ids.indexOf(c!.id);
        const v0 = await data.views8!.read(ci * 2);
        const v1 = await data.views8!.read(ci * 2 + 1);
        expect(Array.from(v0)).toEqual(Array.from(v1));
      } finally {
        data.destroy();
      }
    },
  );
});

describe.skipIf(!HAVE)('trainingDataFromFolder: folders of meshes (views rendered here)', () => {
  it('ModelNet layout: points sampled on the surface, views rendered, a mesh without faces left out', async () => {
    const dir = join(root, 'modelnet');
    const put = (p: string, bytes: Uint8Array) => {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), bytes);
    };
    put('ball/train/ball_0001.off', readSharedFile('off/trimesh/ballA.off'));
    put('ball/test/ball_0002.off', readSharedFile('off/trimesh/ballA.off'));
    put('cube/train/cube_0001.off', readSharedFile('off/trimesh/comments.off'));
    put('cube/train/cube_0002.off', new TextEncoder().encode('OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n'));
    const index = await readFolderIndex(dir);
    expect(index.layout).toBe('modelnet');
    const data = await trainingDataFromFolder(gpu(), index, { points: N, views: 2, imageSize: S, seed: 2 });
    try {
      expect(data.report.loaded).toBe(3);
      expect(data.report.skipped).toEqual([
        {
          file: 'cube/train/cube_0002.off',
          problem:
            'faces: the mesh has no faces, so no surface to sample and no views to render; object cube/cube_0002 left out'.replace(
              /^faces: /,
              '',
            ),
        },
      ]);
      expect(data.split).toEqual(['train', 'test', 'train']);
      expect(data.summary.classes).toEqual(['ball', 'cube']);
      // Points on the unit sphere (the mesh is normalised), views not blank (the object is drawn).
      const r = Math.max(
        ...Array.from({ length: N }, (_, i) => Math.hypot(...data.hostClouds[0]!.subarray(3 * i, 3 * i + 3))),
      );
      expect(r).toBeLessThanOrEqual(1);
      expect(r).toBeGreaterThan(0.5);
      const view = await data.views8!.read(0);
      expect(Math.min(...view)).toBeLessThan(230); // background is white (255)
    } finally {
      data.destroy();
    }
  });
});
