import { DataFormatError } from '../errors';
import { checkFinitePoints, parseDecimal, requirePoints, textLines, U32Builder } from './checks';
import type { LoadedShape } from './types';

/**
 * A Wavefront OBJ: `v x y z [w | r g b]` vertices and `f a b c ...` faces whose corners are
 * `v`, `v/vt`, `v//vn` or `v/vt/vn`, 1-based, negative meaning relative to the vertices read so
 * far. Texture coordinates, per-corner normals, groups and materials are ignored. Polygons are
 * fan-triangulated.
 */
export function loadObj(file: string, bytes: Uint8Array): LoadedShape {
  const lines = textLines(bytes);
  const xyz: number[] = [];
  const vertexLines: number[] = [];
  const tris = new U32Builder(64);
  const ignored = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.replace(/#.*$/, '').trim();
    if (t === '') continue;
    const toks = t.split(/\s+/);
    const kw = toks[0]!;
    const line = i + 1;
    if (kw === 'v') {
      if (toks.length < 4)
        throw new DataFormatError(file, { line }, `a vertex needs x y z, found '${t.slice(0, 60)}'`);
      for (let k = 1; k <= 3; k++) {
        const v = parseDecimal(toks[k]!);
        if (v === undefined)
          throw new DataFormatError(file, { line }, `'${toks[k]!.slice(0, 30)}' is not a number`);
        xyz.push(v);
      }
      vertexLines.push(line);
    } else if (kw === 'f') {
      const nv = vertexLines.length;
      const corners = toks.slice(1).map((c) => {
        const s = c.split('/')[0]!;
        const idx = /^[+-]?\d+$/.test(s) ? Number(s) : Number.NaN;
        const abs = idx < 0 ? nv + idx : idx - 1;
        if (!Number.isInteger(idx) || idx === 0 || abs < 0 || abs >= nv) {
          throw new DataFormatError(
            file,
            { line },
            `face corner '${c}' does not name one of the ${nv} vertices read so far`,
          );
        }
        return abs;
      });
      if (corners.length < 3)
        throw new DataFormatError(file, { line }, `a face needs at least 3 corners, found ${corners.length}`);
      for (let j = 1; j + 1 < corners.length; j++) tris.push3(corners[0]!, corners[j]!, corners[j + 1]!);
    } else if (/^[a-z_]+$/i.test(kw) && kw.length <= 16) {
      ignored.set(kw, (ignored.get(kw) ?? 0) + 1);
    } else {
      throw new DataFormatError(file, { line }, `not an OBJ line: '${t.slice(0, 40)}'`);
    }
  }
  requirePoints(file, vertexLines.length, { line: lines.length }, "vertices ('v' lines)");
  const points = Float32Array.from(xyz);
  checkFinitePoints(file, points, (p) => ({ line: vertexLines[p]! }));
  const warnings: string[] = [];
  for (const kw of ['l', 'p']) {
    if (ignored.has(kw)) warnings.push(`${ignored.get(kw)} '${kw}' elements (lines/points) were ignored`);
  }
  const shape: LoadedShape = { file, format: 'obj', points, properties: ['x', 'y', 'z'], warnings };
  const faces = tris.finish();
  if (faces.length > 0) shape.faces = faces;
  return shape;
}
