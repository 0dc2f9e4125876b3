import { DataFormatError, type DataLocation } from '../errors';
import { isIntegerToken, parseDecimal, U32Builder } from './checks';
import type { PlyElement, PlyHeader, PlyProperty, PlyType } from './ply-header';

/**
 * One pass over a PLY body that checks it matches its header (no truncation, ascii tokens that are
 * numbers, list counts that fit) and collects what PLYLoader gets wrong or leaves out: the faces
 * (PLYLoader drops polygons with more than four corners and de-indexes meshes whose faces carry
 * colours or texture coordinates) and where each vertex sits, for error messages.
 * Work is proportional to the file size whatever the header claims.
 */

export interface PlyRoles {
  /** Index of the element read as points. */
  vertex: number;
  /** Indices of x, y, z among the vertex element's properties. */
  xyz: [number, number, number];
  /** Index of the face element and of its vertex-index list property, if any. */
  face?: { element: number; list: number };
}

export interface PlyBody {
  /** [F·3] triangles, polygons fan-triangulated. */
  triangles: Uint32Array;
  /** Polygons read, by corner count (3 → triangles, 4 → quads...). */
  polygonSizes: Map<number, number>;
  /** Where each vertex row starts: a 1-based line (ascii) or a byte offset (binary). */
  vertexAt: (row: number) => DataLocation;
  warnings: string[];
}

export function walkPlyBody(file: string, bytes: Uint8Array, h: PlyHeader, roles: PlyRoles): PlyBody {
  return h.format === 'ascii' ? walkAscii(file, bytes, h, roles) : walkBinary(file, bytes, h, roles);
}

function faceCollector(file: string, vertexCount: number) {
  const tris = new U32Builder(64);
  const sizes = new Map<number, number>();
  let degenerate = 0;
  return {
    /** Adds one polygon given its corner indices; `at` locates the row for errors. */
    add(corners: number[], row: number, at: DataLocation) {
      for (const c of corners) {
        if (!(Number.isInteger(c) && c >= 0 && c < vertexCount)) {
          throw new DataFormatError(
            file,
            at,
            `face ${row} refers to vertex ${c}, but there are only ${vertexCount} vertices`,
          );
        }
      }
      sizes.set(corners.length, (sizes.get(corners.length) ?? 0) + 1);
      if (corners.length < 3) {
        degenerate++;
        return;
      }
      for (let k = 1; k + 1 < corners.length; k++) tris.push3(corners[0]!, corners[k]!, corners[k + 1]!);
    },
    finish(warnings: string[]) {
      if (degenerate) warnings.push(`${degenerate} faces with fewer than 3 corners were skipped`);
      return { triangles: tris.finish(), polygonSizes: sizes };
    },
  };
}

// ---------------------------------------------------------------- ascii

function walkAscii(file: string, bytes: Uint8Array, h: PlyHeader, roles: PlyRoles): PlyBody {
  const warnings: string[] = [];
  let pos = h.bodyOffset;
  let line = h.headerLines + 1;
  const n = bytes.length;
  /** Next whitespace-separated token, or undefined at the end of the file. Tracks the line number. */
  const next = (): string | undefined => {
    while (pos < n) {
      const c = bytes[pos]!;
      if (c === 10) line++;
      else if (c === 13) {
        if (bytes[pos + 1] !== 10) line++;
      } else if (!(c === 32 || c === 9 || c === 11 || c === 12)) break;
      pos++;
    }
    if (pos >= n) return undefined;
    let s = '';
    while (pos < n) {
      const c = bytes[pos]!;
      if (c === 10 || c === 13 || c === 32 || c === 9 || c === 11 || c === 12) break;
      s += String.fromCharCode(c);
      pos++;
      if (s.length > 64) {
        throw new DataFormatError(
          file,
          { line },
          `a value longer than 64 characters ('${s.slice(0, 20)}...')`,
        );
      }
    }
    return s;
  };
  const vertexCount = h.elements[roles.vertex]!.count;
  const vertexLines = new Int32Array(vertexCount);
  const faces = faceCollector(file, vertexCount);

  h.elements.forEach((el, ei) => {
    const isVertex = ei === roles.vertex;
    const faceList = roles.face?.element === ei ? roles.face.list : -1;
    for (let row = 0; row < el.count; row++) {
      const cut = (what: string) =>
        new DataFormatError(
          file,
          { line },
          `${el.name} row ${row} of ${el.count} is cut short: the file ends ${what}`,
        );
      let rowLine = -1;
      el.properties.forEach((p, pi) => {
        const tok = next();
        if (tok === undefined) throw cut(`before property '${p.name}'`);
        if (rowLine < 0) rowLine = line;
        if (p.countType) {
          const count = listCount(file, line, el, row, p, tok);
          const items: number[] = [];
          for (let j = 0; j < count; j++) {
            const it = next();
            if (it === undefined) throw cut(`inside list '${p.name}' (item ${j} of ${count})`);
            checkValue(file, line, el, row, p.name, p.type, it);
            if (pi === faceList) items.push(Number(it));
          }
          if (pi === faceList) faces.add(items, row, { line: rowLine });
        } else {
          const v = checkValue(file, line, el, row, p.name, p.type, tok);
          if (isVertex && roles.xyz.includes(pi) && !Number.isFinite(v)) {
            throw new DataFormatError(
              file,
              { line },
              `point ${row} has a non-finite coordinate (${p.name} = '${tok}'); NaN and infinite coordinates are refused`,
            );
          }
        }
      });
      if (isVertex) vertexLines[row] = rowLine;
    }
  });
  let extra = 0;
  const extraLine = line;
  while (next() !== undefined) extra++;
  if (extra) warnings.push(`line ${extraLine}: ${extra} values after the last declared element were ignored`);
  return { ...faces.finish(warnings), vertexAt: (row) => ({ line: vertexLines[row]! }), warnings };
}

function listCount(file: string, line: number, el: PlyElement, row: number, p: PlyProperty, tok: string) {
  if (!isIntegerToken(tok) || Number(tok) < 0) {
    throw new DataFormatError(
      file,
      { line },
      `${el.name} row ${row}: list '${p.name}' has count '${tok}', which is not a non-negative integer`,
    );
  }
  return Number(tok);
}

function checkValue(
  file: string,
  line: number,
  el: PlyElement,
  row: number,
  name: string,
  type: PlyType,
  tok: string,
): number {
  const v = parseDecimal(tok);
  if (v === undefined || (type.integer && !Number.isFinite(v))) {
    throw new DataFormatError(
      file,
      { line },
      `${el.name} row ${row}: '${tok}' is not a valid ${type.canon} value for '${name}'`,
    );
  }
  return v;
}

// ---------------------------------------------------------------- binary

function walkBinary(file: string, bytes: Uint8Array, h: PlyHeader, roles: PlyRoles): PlyBody {
  const warnings: string[] = [];
  const le = h.format === 'binary_little_endian';
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = h.bodyOffset;
  const vertexCount = h.elements[roles.vertex]!.count;
  const vertexStarts = new Float64Array(vertexCount);
  const faces = faceCollector(file, vertexCount);

  h.elements.forEach((el, ei) => {
    const isVertex = ei === roles.vertex;
    const faceList = roles.face?.element === ei ? roles.face.list : -1;
    const fixed = el.properties.every((p) => !p.countType);
    if (fixed && !isVertex) {
      // Rows of one size: check the whole element at once.
      const rowSize = el.properties.reduce((s, p) => s + p.type.size, 0);
      const rows = Math.floor((n - pos) / rowSize);
      if (rows < el.count) {
        throw new DataFormatError(
          file,
          { byte: pos + rows * rowSize },
          `${el.name} row ${rows} of ${el.count} is cut short: the file ends (rows are ${rowSize} bytes)`,
        );
      }
      pos += el.count * rowSize;
      return;
    }
    for (let row = 0; row < el.count; row++) {
      const rowStart = pos;
      if (isVertex) vertexStarts[row] = rowStart;
      el.properties.forEach((p, pi) => {
        const cut = () =>
          new DataFormatError(
            file,
            { byte: pos },
            `${el.name} row ${row} of ${el.count} is cut short at property '${p.name}': the file ends`,
          );
        if (p.countType) {
          if (pos + p.countType.size > n) throw cut();
          const count = readNum(dv, pos, p.countType, le);
          if (count < 0) {
            throw new DataFormatError(
              file,
              { byte: pos },
              `${el.name} row ${row}: list '${p.name}' has count ${count}`,
            );
          }
          pos += p.countType.size;
          if (pos + count * p.type.size > n) throw cut();
          if (pi === faceList) {
            const items: number[] = [];
            for (let j = 0; j < count; j++) items.push(readNum(dv, pos + j * p.type.size, p.type, le));
            faces.add(items, row, { byte: rowStart });
          }
          pos += count * p.type.size;
        } else {
          if (pos + p.type.size > n) throw cut();
          if (isVertex && roles.xyz.includes(pi)) {
            const v = readNum(dv, pos, p.type, le);
            if (!Number.isFinite(v)) {
              throw new DataFormatError(
                file,
                { byte: pos },
                `point ${row} has a non-finite coordinate (${p.name} = ${v}); NaN and infinite coordinates are refused`,
              );
            }
          }
          pos += p.type.size;
        }
      });
    }
  });
  if (pos < n) warnings.push(`byte ${pos}: ${n - pos} bytes after the last declared element were ignored`);
  return { ...faces.finish(warnings), vertexAt: (row) => ({ byte: vertexStarts[row]! }), warnings };
}

function readNum(dv: DataView, at: number, t: PlyType, le: boolean): number {
  switch (t.canon) {
    case 'char':
      return dv.getInt8(at);
    case 'uchar':
      return dv.getUint8(at);
    case 'short':
      return dv.getInt16(at, le);
    case 'ushort':
      return dv.getUint16(at, le);
    case 'int':
      return dv.getInt32(at, le);
    case 'uint':
      return dv.getUint32(at, le);
    case 'float':
      return dv.getFloat32(at, le);
    case 'double':
      return dv.getFloat64(at, le);
  }
}
