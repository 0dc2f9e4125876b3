import { DataFormatError } from '../errors';
import {
  allFinite,
  checkFinitePoints,
  isIntegerToken,
  parseDecimal,
  requirePoints,
  textLines,
  U32Builder,
} from './checks';
import type { LoadedShape } from './types';

/** The file's lines, read one significant line at a time; `li` is the 1-based number of the last read. */
class OffLines {
  li = 0;
  constructor(readonly lines: string[]) {}

  /** Next non-empty line with comments removed, split into tokens, or undefined at the end. */
  next(): string[] | undefined {
    while (this.li < this.lines.length) {
      const t = this.lines[this.li++]!.replace(/#.*$/, '').trim();
      if (t !== '') return t.split(/\s+/);
    }
    return undefined;
  }

  get left(): number {
    return this.lines.length - this.li;
  }
}

/**
 * An OFF mesh: a keyword line (`OFF`, or `COFF` / `NOFF` / `CNOFF` with per-vertex colours or
 * normals), `nv nf ne`, nv vertex lines and nf face lines `k i1 .. ik [colour]` with 0-based
 * indices. `#` starts a comment anywhere. Polygons are fan-triangulated.
 */
export function loadOff(file: string, bytes: Uint8Array): LoadedShape {
  const r = new OffLines(textLines(bytes));
  const { hasNormals, nv, nf } = readHeader(file, r);
  const { points, normals } = readVertices(file, r, nv, hasNormals);
  const { faces, skipped } = readFaces(file, r, nf, nv);
  const warnings: string[] = [];
  if (skipped) warnings.push(`${skipped} faces with fewer than 3 corners were skipped`);
  if (r.next()) warnings.push(`line ${r.li}: data after the last declared face was ignored`);
  const shape: LoadedShape = {
    file,
    format: 'off',
    points,
    properties: hasNormals ? ['x', 'y', 'z', 'nx', 'ny', 'nz'] : ['x', 'y', 'z'],
    warnings,
  };
  if (normals) {
    if (allFinite(normals)) shape.normals = normals;
    else warnings.push('some normals are NaN or infinite: normals were dropped');
  }
  if (faces.length > 0) shape.faces = faces;
  return shape;
}

/** The keyword (with or without normals) and the vertex and face counts, checked against the file's length. */
function readHeader(file: string, r: OffLines) {
  const first = r.next();
  const kw = first?.[0] ?? '';
  const m = /^(C?)(N?)OFF(.*)$/.exec(kw);
  if (!first || !m || (m[3] !== '' && !/^\d/.test(m[3]!))) {
    throw new DataFormatError(
      file,
      { line: r.li || 1 },
      `not an OFF file: expected 'OFF' first, found '${kw.slice(0, 20)}'`,
    );
  }
  const hasNormals = m[2] === 'N';
  // The counts may follow the keyword on the same line.
  let counts = [...(m[3] ? [m[3]] : []), ...first.slice(1)];
  if (counts.length === 0) counts = r.next() ?? [];
  const countLine = r.li;
  if (counts.length < 2 || !isIntegerToken(counts[0]!) || !isIntegerToken(counts[1]!)) {
    throw new DataFormatError(
      file,
      { line: countLine },
      `expected 'vertices faces edges' counts, found '${counts.join(' ')}'`,
    );
  }
  const nv = Number(counts[0]);
  const nf = Number(counts[1]);
  if (nv < 0 || nf < 0) throw new DataFormatError(file, { line: countLine }, 'negative vertex or face count');
  requirePoints(file, nv, { line: countLine }, 'vertices');
  // One line per vertex and per face at least: refuse impossible counts before allocating.
  if (nv + nf > r.left) {
    throw new DataFormatError(
      file,
      { line: countLine },
      `the file declares ${nv} vertices and ${nf} faces but has only ${r.left} more lines`,
    );
  }
  return { hasNormals, nv, nf };
}

/** nv vertex lines: x y z (then nx ny nz with normals), finite. */
function readVertices(file: string, r: OffLines, nv: number, hasNormals: boolean) {
  const points = new Float32Array(nv * 3);
  const normals = hasNormals ? new Float32Array(nv * 3) : undefined;
  const vertexLines = new Int32Array(nv);
  const need = hasNormals ? 6 : 3;
  for (let v = 0; v < nv; v++) {
    const toks = r.next();
    if (!toks) throw new DataFormatError(file, { line: r.li }, `the file ends at vertex ${v} of ${nv}`);
    vertexLines[v] = r.li;
    if (toks.length < need) {
      throw new DataFormatError(
        file,
        { line: r.li },
        `vertex ${v} has ${toks.length} numbers, expected ${need}`,
      );
    }
    for (let k = 0; k < need; k++) {
      const x = parseDecimal(toks[k]!);
      if (x === undefined)
        throw new DataFormatError(file, { line: r.li }, `vertex ${v}: '${toks[k]}' is not a number`);
      if (k < 3) points[v * 3 + k] = x;
      else normals![v * 3 + k - 3] = x;
    }
  }
  checkFinitePoints(file, points, (p) => ({ line: vertexLines[p]! }));
  return { points, normals };
}

/** nf face lines `k i1 .. ik`, fan-triangulated; faces of fewer than 3 corners are counted and skipped. */
function readFaces(file: string, r: OffLines, nf: number, nv: number) {
  const tris = new U32Builder(nf * 3);
  let skipped = 0;
  for (let f = 0; f < nf; f++) {
    const toks = r.next();
    if (!toks) throw new DataFormatError(file, { line: r.li }, `the file ends at face ${f} of ${nf}`);
    const k = toks[0]!;
    if (!isIntegerToken(k) || Number(k) < 0 || Number(k) > toks.length - 1) {
      throw new DataFormatError(
        file,
        { line: r.li },
        `face ${f}: '${k}' is not a corner count matching the line`,
      );
    }
    const corners: number[] = [];
    for (let j = 1; j <= Number(k); j++) {
      const t = toks[j]!;
      const idx = Number(t);
      if (!isIntegerToken(t) || idx < 0 || idx >= nv) {
        throw new DataFormatError(
          file,
          { line: r.li },
          `face ${f} refers to vertex '${t}', but there are ${nv} vertices`,
        );
      }
      corners.push(idx);
    }
    if (corners.length < 3) skipped++;
    for (let j = 1; j + 1 < corners.length; j++) tris.push3(corners[0]!, corners[j]!, corners[j + 1]!);
  }
  return { faces: tris.finish(), skipped };
}
