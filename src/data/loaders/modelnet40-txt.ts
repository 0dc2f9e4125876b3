import { allFinite, checkFinitePoints } from './checks';
import { MODELNET40_CLASSES, pathParts } from './class-names';
import { readColumns, takeXyz } from './text-columns';
import type { LoadedShape } from './types';

/**
 * A `modelnet40_normal_resampled` text file: one `x,y,z,nx,ny,nz` line per point (plain `x,y,z`
 * and space-separated columns also accepted). The class comes from the file name
 * (`<class>_<NNNN>.txt`) or its folder, when that is a ModelNet40 class.
 */
export function loadModelNetText(file: string, bytes: Uint8Array): LoadedShape {
  const c = readColumns(file, bytes, [3, 6]);
  const points = takeXyz(c, 0);
  checkFinitePoints(file, points, (p) => ({ line: c.lines[p]! }));
  const shape: LoadedShape = {
    file,
    format: 'modelnet40-txt',
    points,
    properties: c.cols === 6 ? ['x', 'y', 'z', 'nx', 'ny', 'nz'] : ['x', 'y', 'z'],
    warnings: [],
  };
  if (c.cols === 6) {
    const normals = takeXyz(c, 3);
    if (allFinite(normals)) shape.normals = normals;
    else shape.warnings.push('some normals are NaN or infinite: normals were dropped');
  }
  const cls = classFromName(file);
  if (cls !== undefined) {
    shape.label = cls;
    shape.className = MODELNET40_CLASSES[cls];
  }
  return shape;
}

function classFromName(file: string): number | undefined {
  const parts = pathParts(file);
  const base = (parts[parts.length - 1] ?? '').replace(/\.[^.]*$/, '');
  const m = /^(.+)_\d+$/.exec(base);
  const candidates = [m?.[1], parts[parts.length - 2]];
  for (const name of candidates) {
    const i = MODELNET40_CLASSES.indexOf(name as (typeof MODELNET40_CLASSES)[number]);
    if (i >= 0) return i;
  }
  return undefined;
}
