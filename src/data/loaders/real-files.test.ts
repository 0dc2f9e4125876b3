import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors';
import { boundingBox } from './checks';
import { isSet, type Loaded, type LoadedSet, type LoadedShape, loadAny } from './index';
import { haveSharedData, readSharedFile, sharedDataFiles } from '../../../test/shared-data';

/**
 * Every file in ../shared/data (see its MANIFEST.md) either loads with the counts the manifest
 * gives or is refused with a DataFormatError that names the file and a line, byte or dataset.
 */

/** [points, triangles after fan triangulation (0 = cloud), has normals] for each file that loads. */
const LOADS: Record<string, [number, number, boolean]> = {
  'modelnet40_normal_resampled/airplane/airplane_0126.txt': [10000, 0, true],
  'modelnet40_normal_resampled/chair/chair_0454.txt': [10000, 0, true],
  'modelnet40_normal_resampled/monitor/monitor_0468.txt': [10000, 0, true],
  'modelnet40_normal_resampled/sofa/sofa_0469.txt': [10000, 0, true],
  'modelnet40_normal_resampled/table/table_0326.txt': [10000, 0, true],
  'obj/trimesh/box.obj': [8, 12, false],
  'obj/trimesh/cube_compressed.obj': [8, 12, false],
  'obj/trimesh/negative_indices.obj': [8, 12, false],
  'obj/trimesh/obj_points.obj': [8, 0, false],
  'off/trimesh/ballA.off': [1900, 3796, false],
  'off/trimesh/comments.off': [8, 12, false],
  'ply/assimp/cube.ply': [8, 12, false],
  'ply/assimp/cube_binary.ply': [8, 12, false],
  'ply/assimp/cube_binary_header_with_RN_newline.ply': [8, 12, false],
  'ply/assimp/cube_uv.ply': [24, 12, true],
  'ply/assimp/float-color.ply': [3, 1, false],
  'ply/assimp/points.ply': [4, 0, true],
  'ply/draco/Box.ply': [24, 12, true],
  'ply/draco/cube_att.ply': [24, 12, true],
  'ply/draco/cube_quads.ply': [8, 12, false],
  'ply/draco/point_cloud_test_pos_norm.ply': [4, 0, true],
  'ply/draco/test_extra_whitespace.ply': [3, 1, false],
  'ply/draco/test_more_datatypes.ply': [3, 1, false],
  'ply/draco/test_pos_color.ply': [114, 224, false],
  'ply/draco/test_pos_color_ascii.ply': [114, 224, false],
  'ply/draco/test_pos_color_big_endian.ply': [114, 224, false],
  'ply/happly/platonic_shelf.ply': [50, 32 + 6 * 2 + 12 * 3, false],
  'ply/happly/platonic_shelf_ascii.ply': [50, 80, false],
  'ply/libigl/two-boxes-bad-self-union.ply': [486, 708, false],
  'ply/open3d/bathtub_0154.ply': [1494, 1194, false],
  'ply/open3d/color.ply': [3017, 5537, true],
  'ply/open3d/fragment_000.ply': [5028, 0, true],
  'ply/open3d/fragment_001.ply': [5335, 0, true],
  'ply/open3d/knot.ply': [1440, 2880, false],
  'ply/open3d/rply/input.ply': [3, 1, false],
  'ply/open3d/test_fragments/fragment_002.ply': [112698, 0, false],
  'ply/open3d/test_output_pcd.ply': [4032, 0, false],
  'ply/open3d/test_sample_ascii.ply': [7, 0, false],
  'ply/open3d/test_sample_custom.ply': [7, 0, false],
  'ply/open3d/test_sample_wrong_format.ply': [2, 0, true],
  'ply/ply-rs/diverse_field_formats/doubles_ints.ply': [3, 1, false],
  'ply/ply-rs/diverse_field_formats/floats_shorts.ply': [3, 1, false],
  'ply/ply-rs/greg_turk_example1_ok_ascii.ply': [8, 12, false],
  'ply/ply-rs/greg_turk_example2_ok_ascii.ply': [8, 2 + 5 * 2, false],
  'ply/ply-rs/house_2_ok_little_endian.ply': [5, 3, false],
  'ply/ply-rs/house_ok_ascii.ply': [5, 3, true],
  'ply/ply-rs/tetrahedron_ascii.ply': [4, 4, false],
  'ply/ply-rs/tetrahedron_big_endian.ply': [4, 4, false],
  'ply/ply-rs/tetrahedron_little_endian.ply': [4, 4, false],
  'ply/point-cloud-utils/duplicated_pcloud.ply': [5395, 0, true],
  'ply/point-cloud-utils/truck.ply': [5240, 9868, false],
  'ply/trimesh/BoxTextured.ply': [24, 12, true],
  'ply/trimesh/cube_blender_uv_meshlab.ply': [24, 12, false],
  'ply/trimesh/featuretype.ply': [5096, 3476, true],
  'ply/trimesh/fixed_top.ply': [2374, 4772, false],
  'ply/trimesh/fuze.ply': [502, 1000, false],
  'ply/trimesh/metadata.ply': [4, 2, false],
  'ply/trimesh/mirror.ply': [143, 286, false],
  'ply/trimesh/multi.ply': [4, 2, false],
  'ply/trimesh/octagonal_pocket.ply': [1658, 3262, false],
  'ply/trimesh/plane.ply': [4, 2, true],
  'ply/trimesh/ply_points_bin.ply': [8, 0, true],
  'ply/trimesh/points_ascii.ply': [5, 0, false],
  'ply/trimesh/points_ascii_with_lists.ply': [5, 0, false],
  'ply/trimesh/points_bin.ply': [5, 0, false],
  'ply/trimesh/points_emptyface.ply': [1024, 0, false],
  'ply/trimesh/reference.ply': [845, 1610, false],
  'ply/trimesh/sphere.ply': [642, 1280, false],
  'ply/trimesh/suzanne.ply': [1966, 32 + 468 * 2, true],
  'ply/trimesh/tet.ply': [4, 4, false],
};

/** ShapeNetPart sample point counts (MANIFEST §3). */
const SHAPENETPART: Record<string, number> = {
  '254e230d31a62470a52821bf1aa3b19a': 2513,
  '4bd0b6df02772d8f59c9250a427b57f': 2329,
  '6e983d20e0bf80296829cd4082fbdbdf': 2736,
  '7f9ddfff396634f17790cd6f6e8952aa': 2345,
  c1436c38beba0005284432ce2f42f498: 2481,
  c7122c44495a5ac6aceb0fa31f18f016: 2520,
  f40b47fcbf83b962f0d11ae402ef940e: 2563,
  '18387b36aa7b2d4af0d11ae402ef940e': 2744,
  '5eb9ab53213f5fff4e09ebaf49b0cb2f': 2719,
  '61437489633f5d167c35d3c5d3b1fcf7': 2425,
  a0fc32a763b57b85f0d11ae402ef940e: 2579,
  dd2d95b294a7a8b4fa5b6212657ae4a4: 2792,
};

/** Files refused, with what the message must say (besides the file name and a location). */
const REFUSED: Record<string, RegExp> = {
  'ply/assimp/issue623.ply': /line 15: vertex row 0: list 'vertex_indices' has count '7\.94/,
  'ply/draco/float_inf_point_cloud.ply': /line 8: point 0 has a non-finite coordinate \(z = '\+inf'\)/,
  'ply/ply-rs/single_elements_err_ascii.ply': /line 5: element 'point' has no property z/,
  'ply/ply-rs/all_atomic_types_ok_ascii.ply': /element 'point' has no property x, y, z/,
  'ply/ply-rs/exponent_values_ok_ascii.ply': /element 'point' has no property z/,
  'ply/ply-rs/empty_2_ok_little_endian.ply': /no points/,
  'ply/trimesh/empty.ply': /no points/,
  'ply/trimesh/ply_empty_bin.ply': /no points/,
  'ply/trimesh/ply_empty_header.ply': /no 'vertex' element .*elements: none/,
};

const LOCATION = /: (line \d+|byte \d+|dataset '[^']+'[^:]*|root group|'[^']+'): /;

async function load(rel: string): Promise<Loaded> {
  return loadAny(rel, readSharedFile(rel));
}

async function refusal(rel: string): Promise<DataFormatError> {
  try {
    await load(rel);
  } catch (e) {
    if (e instanceof DataFormatError) return e;
    throw e;
  }
  throw new Error(`${rel} loaded but should have been refused`);
}

const HAVE = haveSharedData('the tests over every file in shared/data');
const files = HAVE ? sharedDataFiles() : [];

describe.skipIf(!HAVE)('every file in shared/data', () => {
  it('finds the folder and its files', () => {
    expect(files.length).toBeGreaterThanOrEqual(120);
    expect(files).toContain('modelnet40_subset/ply_data_train0.h5');
  });

  it.each(files)('%s', async (rel) => {
    const name = rel
      .split('/')
      .pop()!
      .replace(/\.txt$/, '');
    const expected = LOADS[rel];
    if (expected) {
      const s = (await load(rel)) as LoadedShape;
      const [n, tris, normals] = expected;
      expect(s.points.length).toBe(n * 3);
      expect(s.faces?.length ?? 0).toBe(tris * 3);
      expect(s.normals !== undefined).toBe(normals);
      if (s.faces) expect(Math.max(...s.faces)).toBeLessThan(n);
    } else if (rel.startsWith('shapenetpart_sample/02954340/')) {
      const s = (await load(rel)) as LoadedShape;
      expect(s.format).toBe('shapenetpart-txt');
      expect(s.points.length).toBe(SHAPENETPART[name]! * 3);
      expect(s.className).toBe('Cap');
      expect(new Set(s.pointLabels)).toEqual(new Set([6, 7]));
    } else if (rel.endsWith('.h5')) {
      const s = await load(rel);
      expect(isSet(s)).toBe(true);
    } else {
      const e = await refusal(rel);
      expect(e.file).toBe(rel);
      expect(e.message.startsWith(`${rel}: `)).toBe(true);
      expect(e.message).toMatch(LOCATION);
      const want = REFUSED[rel];
      // Files not listed are not point data at all (licences, lists, JSON, CSV, the manifest).
      if (want) expect(e.message).toMatch(want);
      else
        expect(rel).toMatch(
          /(licenses\/|\.json$|\.csv$|\.md$|\.sha256$|_files\.txt$|names\.txt$|filelist\.txt$|modelnet40_(train|test)\.txt$|synsetoffset2category\.txt$)/,
        );
    }
  });
});

describe.skipIf(!HAVE)('known facts from the manifest', () => {
  it('modelnet40_subset train: 97 clouds of 2048 points, labels, normals, the (1,1,1) placeholders', async () => {
    const s = (await load('modelnet40_subset/ply_data_train0.h5')) as LoadedSet;
    expect(s.count).toBe(97);
    expect(s.pointsPerCloud).toBe(2048);
    expect(s.points.length).toBe(97 * 2048 * 3);
    expect(s.normals!.length).toBe(97 * 2048 * 3);
    const counts = new Map<number, number>();
    for (const l of s.labels!) counts.set(l, (counts.get(l) ?? 0) + 1);
    expect(counts.size).toBe(36);
    expect(counts.get(0)).toBe(6); // airplane
    expect(counts.get(30)).toBe(9); // sofa
    expect(counts.has(13)).toBe(false); // door
    // Rows are sorted by label.
    for (let i = 1; i < 97; i++) expect(s.labels![i]!).toBeGreaterThanOrEqual(s.labels![i - 1]!);
    const at = (row: number, p: number) =>
      Array.from(s.normals!.subarray((row * 2048 + p) * 3, (row * 2048 + p) * 3 + 3));
    expect(at(37, 1643)).toEqual([1, 1, 1]);
    expect(at(77, 376)).toEqual([1, 1, 1]);
    expect(s.properties).toEqual(['data <f [97, 2048, 3]', 'normal <f [97, 2048, 3]', 'label <B [97, 1]']);
  });

  it('modelnet40_subset test: 20 clouds over 17 classes, car/stairs/wardrobe only here', async () => {
    const s = (await load('modelnet40_subset/ply_data_test0.h5')) as LoadedSet;
    expect(s.count).toBe(20);
    expect(new Set(s.labels).size).toBe(17);
    for (const l of [7, 31, 38]) expect(s.labels).toContain(l);
  });

  it('the HDF5 row of airplane_0126 holds the first 2048 points of its text file, as float32', async () => {
    const ids = JSON.parse(
      new TextDecoder().decode(readSharedFile('modelnet40_subset/ply_data_train_0_id2file.json')),
    );
    const row = (ids as string[]).indexOf('airplane/airplane_0126.txt');
    expect(row).toBeGreaterThanOrEqual(0);
    const set = (await load('modelnet40_subset/ply_data_train0.h5')) as LoadedSet;
    const txt = (await load('modelnet40_normal_resampled/airplane/airplane_0126.txt')) as LoadedShape;
    expect(txt.label).toBe(0);
    expect(txt.className).toBe('airplane');
    expect(set.labels![row]).toBe(0);
    expect(Array.from(set.points.subarray(row * 2048 * 3, (row + 1) * 2048 * 3))).toEqual(
      Array.from(txt.points.subarray(0, 2048 * 3)),
    );
    expect(Array.from(set.normals!.subarray(row * 2048 * 3, row * 2048 * 3 + 6))).toEqual(
      Array.from(txt.normals!.subarray(0, 6)),
    );
  });

  it('the three encodings of draco test_pos_color and of the ply-rs tetrahedron decode alike', async () => {
    const le = (await load('ply/draco/test_pos_color.ply')) as LoadedShape;
    const be = (await load('ply/draco/test_pos_color_big_endian.ply')) as LoadedShape;
    const asc = (await load('ply/draco/test_pos_color_ascii.ply')) as LoadedShape;
    expect(be.format).toBe('ply-binary-be');
    expect(Array.from(be.points)).toEqual(Array.from(le.points));
    expect(Array.from(be.faces!)).toEqual(Array.from(le.faces!));
    for (let i = 0; i < le.points.length; i++)
      expect(Math.abs(asc.points[i]! - le.points[i]!)).toBeLessThan(1e-5);
    const t = await Promise.all(
      ['ascii', 'big_endian', 'little_endian'].map(
        async (k) => (await load(`ply/ply-rs/tetrahedron_${k}.ply`)) as LoadedShape,
      ),
    );
    expect(Array.from(t[1]!.points)).toEqual(Array.from(t[0]!.points));
    expect(Array.from(t[2]!.points)).toEqual(Array.from(t[0]!.points));
  });

  it('bounding boxes match the manifest (raw CAD bathtub, double-precision scan, shelf)', async () => {
    const box = async (rel: string) => boundingBox(((await load(rel)) as LoadedShape).points);
    const b = await box('ply/open3d/bathtub_0154.ply');
    expect(b.min[1]).toBeCloseTo(-33464.6, 1);
    expect(b.max[0]).toBeCloseTo(14763.8, 1);
    const f = await box('ply/open3d/test_fragments/fragment_002.ply');
    expect(f.min[0]).toBeCloseTo(-1.44922, 4);
    expect(f.max[2]).toBeCloseTo(2.85415, 4);
    const p = await box('ply/happly/platonic_shelf.ply');
    expect(p.min[0]).toBeCloseTo(-6.52431, 4);
  });

  it('warns about what it ignored: surplus rows, fan-triangulated pentagons', async () => {
    const rply = (await load('ply/open3d/rply/input.ply')) as LoadedShape;
    expect(rply.warnings.join()).toMatch(/4 values after the last declared element were ignored/);
    const shelf = (await load('ply/happly/platonic_shelf.ply')) as LoadedShape;
    expect(shelf.warnings.join()).toMatch(/polygons with 5 corners were fan-triangulated/);
  });

  it('OBJ negative (relative) indices give the same faces as positive ones', async () => {
    const neg = (await load('obj/trimesh/negative_indices.obj')) as LoadedShape;
    const box = (await load('obj/trimesh/box.obj')) as LoadedShape;
    expect(neg.faces!.length).toBe(36);
    // Same cube, 8 corners: every face index is used and refers to a corner of the unit box.
    expect(new Set(neg.faces).size).toBe(8);
    expect(boundingBox(neg.points)).toEqual(boundingBox(box.points));
  });
});
