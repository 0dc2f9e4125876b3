import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../../test/cli';
import { haveSharedData, sharedDataDir } from '../../../test/shared-data';

// Real files of shared/data; skipped with the reason printed when the folder is not there.
const HAVE = haveSharedData('the crosspoint inspect tests');

describe.skipIf(!HAVE)('crosspoint inspect', () => {
  const data = HAVE ? sharedDataDir() : '';

  it('prints what it parsed from a good file as JSON', () => {
    const file = join(data, 'ply/happly/platonic_shelf.ply');
    const r = crosspoint(['inspect', file]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ file, format: 'ply-binary-le', points: 50, faces: 80, normals: false });
    expect(out.properties).toEqual(['x', 'y', 'z']);
    expect(out.boundingBox.min[0]).toBeCloseTo(-6.52431, 4);
    expect(out.warnings).toEqual(['polygons with 5 corners were fan-triangulated']);
  });

  it('reports class and labels of an HDF5 set', () => {
    const out = JSON.parse(crosspoint(['inspect', join(data, 'modelnet40_subset/ply_data_test0.h5')]).stdout);
    expect(out).toMatchObject({ format: 'hdf5', clouds: 20, pointsPerCloud: 2048, normals: true });
    expect(Object.keys(out.labels).length).toBe(17);
  });

  it('a broken file exits 2 with one clear line on stderr', () => {
    const file = join(data, 'ply/draco/float_inf_point_cloud.ply');
    const r = crosspoint(['inspect', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `crosspoint inspect: ${file}: line 8: point 0 has a non-finite coordinate (z = '+inf'); ` +
        'NaN and infinite coordinates are refused\n',
    );
  });

  it('a missing file exits 2', () => {
    const r = crosspoint(['inspect', join(data, 'no-such-file.ply')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read .*no-such-file\.ply: ENOENT/);
  });
});
