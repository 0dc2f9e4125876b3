import { describe, expect, it } from 'vitest';
import { haveSharedData, readSharedFile } from '../../test/shared-data';
import { DataFormatError } from './errors';
import { type FileLike, indexFolder } from './folder-index';
import { pickSubset } from './folder-subset';

const HAVE = haveSharedData('the folder-index tests on real files');
const none = new Uint8Array(0);
const file = (path: string, bytes: Uint8Array = none): FileLike => ({
  name: path.split('/').pop()!,
  path,
  bytes,
});

describe('indexFolder', () => {
  it("reads CrossPoint's layout and `crosspoint sample`'s (no ShapeNet/ folder), with the .h5 as evaluation sets", () => {
    const idx = indexFolder(
      [
        file('ShapeNet/02691156/a.ply'),
        file('ShapeNet/02691156/b.ply'),
        file('ShapeNet/03001627/c.ply'),
        file('ShapeNetRendering/02691156/a/rendering/01.png'),
        file('ShapeNetRendering/02691156/a/rendering/00.png'),
        file('ShapeNetRendering/02691156/a/rendering/rendering_metadata.txt'),
        file('ShapeNetRendering/02691156/b/rendering/00.png'),
        file('ShapeNetRendering/03001627/c/rendering/00.png'),
        file('modelnet40_ply_hdf5_2048/ply_data_test0.h5'),
        file('modelnet40_ply_hdf5_2048/shape_names.txt'),
      ],
      'mine',
    );
    expect(idx.layout).toBe('crosspoint');
    expect(idx.objects.map((o) => o.id)).toEqual(['02691156/a', '02691156/b', '03001627/c']);
    expect(idx.objects[0]!.views.map((v) => v.name)).toEqual(['00.png', '01.png']);
    expect(idx.classes).toEqual([
      { key: '02691156', name: 'airplane', objects: 2 },
      { key: '03001627', name: 'chair', objects: 1 },
    ]);
    expect(idx.maxViews).toBe(2);
    expect(idx.evalFiles.map((e) => [e.file.path, e.kind, e.split])).toEqual([
      ['modelnet40_ply_hdf5_2048/ply_data_test0.h5', 'modelnet40', 'test'],
    ]);
    expect(idx.problems).toEqual([]);

    const sample = indexFolder(
      [
        file('02691156/a.ply'),
        file('ShapeNetRendering/02691156/a/rendering/00.png'),
        file('train.h5'),
        file('classes.txt'),
      ],
      'out',
    );
    expect(sample.layout).toBe('crosspoint');
    expect(sample.objects.map((o) => o.shape.path)).toEqual(['02691156/a.ply']);
    expect(sample.evalFiles.map((e) => e.split)).toEqual(['train']);
  });

  it('reports every file it leaves out, once, with the reason', () => {
    const idx = indexFolder(
      [
        file('ShapeNet/02691156/a.ply'),
        file('ShapeNet/02691156/lonely.ply'),
        file('ShapeNetRendering/02691156/a/rendering/00.png'),
        file('ShapeNetRendering/02691156/orphan/rendering/00.png'),
        file('notes/readme.docx'),
        file('chair/train/chair_0001.off'),
      ],
      'mixed',
    );
    expect(idx.layout).toBe('crosspoint');
    expect(idx.objects.map((o) => o.id)).toEqual(['02691156/a']);
    expect(idx.problems.map((p) => p.file)).toEqual([
      'ShapeNet/02691156/lonely.ply',
      'ShapeNetRendering/02691156/orphan/rendering/',
      'chair/train/chair_0001.off',
      'notes/readme.docx',
    ]);
    expect(idx.problems[0]!.problem).toMatch(
      /no rendered views at ShapeNetRendering\/02691156\/lonely\/rendering/,
    );
    expect(idx.problems[1]!.problem).toMatch(/1 views but no cloud 02691156\/orphan\.ply/);
    expect(idx.problems[2]!.problem).toMatch(
      /^belongs to ModelNet meshes .*this folder is read as CrossPoint's layout .*\(1 objects\)/,
    );
    expect(idx.problems[3]!.problem).toMatch(/not part of a known layout/);
  });

  it('reads ShapeNetCore and ModelNet mesh folders (the larger layout wins when mixed)', () => {
    const core = indexFolder(
      [
        file('02691156/x1/models/model_normalized.obj'),
        file('02691156/x1/models/model_normalized.mtl'),
        file('02691156/x1/models/model_normalized.json'),
        file('02691156/x1/images/texture0.jpg'),
        file('04379243/t1/models/model_normalized.obj'),
      ],
      'core',
    );
    expect(core.layout).toBe('shapenetcore');
    expect(core.objects.map((o) => o.id)).toEqual(['02691156/x1', '04379243/t1']);
    expect(core.problems).toEqual([]);
    expect(core.maxViews).toBe(0);

    const mn = indexFolder(
      [
        file('ModelNet10/bed/train/bed_0001.off'),
        file('ModelNet10/bed/test/bed_0600.off'),
        file('ModelNet10/sofa/train/sofa_0001.off'),
        file('x/y/models/model_normalized.obj'),
      ],
      'ModelNet10',
    );
    expect(mn.layout).toBe('modelnet');
    expect(mn.objects.map((o) => [o.id, o.split])).toEqual([
      ['bed/bed_0001', 'train'],
      ['bed/bed_0600', 'test'],
      ['sofa/sofa_0001', 'train'],
    ]);
    expect(mn.problems.map((p) => p.file)).toEqual(['x/y/models/model_normalized.obj']);
  });

  it('a folder with nothing usable is one DataFormatError naming what was found and what is expected', () => {
    const bad = () => indexFolder([file('a/b.txt'), file('c.jpg')], 'holiday');
    expect(bad).toThrow(DataFormatError);
    expect(bad).toThrow(
      /^holiday: folder layout: nothing usable in 2 files: expected CrossPoint's layout .*First problem: a\/b\.txt: not part of a known layout/,
    );
    expect(() => indexFolder([], 'empty')).toThrow(/nothing usable in 0 files/);
  });

  it.skipIf(!HAVE)('indexes real files by path without reading them', () => {
    const idx = indexFolder(
      [
        file('bathtub/train/bathtub_0154.off', readSharedFile('off/trimesh/ballA.off')),
        file('ply_data_train0.h5', readSharedFile('modelnet40_subset/ply_data_train0.h5')),
      ],
      'real',
    );
    expect(idx.layout).toBe('modelnet');
    expect(idx.evalFiles[0]!.kind).toBe('modelnet40');
  });
});

describe('pickSubset', () => {
  const many = indexFolder(
    Array.from({ length: 3 }, (_, c) =>
      Array.from({ length: 6 }, (_, i) => [
        file(`ShapeNet/0${c}/o${i}.ply`),
        file(`ShapeNetRendering/0${c}/o${i}/rendering/00.png`),
      ]),
    ).flat(2),
    'many',
  );

  it('keeps the chosen classes and objects per class, with a seeded 20 % test split per class', () => {
    const s = pickSubset(many, { classes: ['00', '02'], perClass: 5, views: 1 }, 3);
    expect(s.classes.map((c) => [c.key, c.objects])).toEqual([
      ['00', 5],
      ['02', 5],
    ]);
    expect(s.objects.map((o) => o.label)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(s.objects.filter((o) => o.split === 'test').length).toBe(2);
    expect(pickSubset(many, { classes: ['00', '02'], perClass: 5, views: 1 }, 3)).toEqual(s);
    expect(pickSubset(many, { classes: [], perClass: 0, views: 1 }, 3).objects.length).toBe(18);
    expect(() => pickSubset(many, { classes: ['99'], perClass: 0, views: 1 }, 3)).toThrow(
      /no class 99 in many/,
    );
  });
});
