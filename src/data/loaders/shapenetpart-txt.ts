import { DataFormatError } from '../errors';
import { allFinite, checkFinitePoints } from './checks';
import { pathParts, SHAPENETPART_CATEGORIES } from './class-names';
import { readColumns, takeXyz } from './text-columns';
import type { LoadedShape } from './types';

/**
 * A ShapeNetPart (`shapenetcore_partanno_segmentation_benchmark_v0_normal`) text file: one
 * `x y z nx ny nz part` line per point; the part id is written as a float (`6.000000`) and must
 * be integral. The category comes from the synset folder the file sits in.
 */
export function loadShapeNetPartText(file: string, bytes: Uint8Array): LoadedShape {
  const c = readColumns(file, bytes, [7]);
  const points = takeXyz(c, 0);
  checkFinitePoints(file, points, (p) => ({ line: c.lines[p]! }));
  const pointLabels = new Int32Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    const v = c.values[r * 7 + 6]!;
    if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
      throw new DataFormatError(file, { line: c.lines[r]! }, `part label ${v} is not a non-negative integer`);
    }
    pointLabels[r] = v;
  }
  const shape: LoadedShape = {
    file,
    format: 'shapenetpart-txt',
    points,
    pointLabels,
    properties: ['x', 'y', 'z', 'nx', 'ny', 'nz', 'part'],
    warnings: [],
  };
  const normals = takeXyz(c, 3);
  if (allFinite(normals)) shape.normals = normals;
  else shape.warnings.push('some normals are NaN or infinite: normals were dropped');
  const parts = pathParts(file);
  const cat = SHAPENETPART_CATEGORIES.findIndex((k) => k.synset === parts[parts.length - 2]);
  if (cat >= 0) {
    shape.label = cat;
    shape.className = SHAPENETPART_CATEGORIES[cat]!.name;
  }
  return shape;
}
