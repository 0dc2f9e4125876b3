import { DataFormatError } from '../errors';

/**
 * Strict reading of a PLY header. three's PLYLoader accepts almost anything and then reads past
 * the end of the data or loops over a huge declared count, so every header is checked here first:
 * magic, format line, known property types, and element counts against the bytes that follow.
 */

export type PlyFormat = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

export interface PlyType {
  /** The name PLYLoader and the spec both know (aliases such as float32 map to float). */
  canon: 'char' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'float' | 'double';
  size: number;
  integer: boolean;
  signed: boolean;
}

const T = (canon: PlyType['canon'], size: number, integer: boolean, signed: boolean): PlyType => ({
  canon,
  size,
  integer,
  signed,
});

export const PLY_TYPES: Record<string, PlyType> = {
  char: T('char', 1, true, true),
  int8: T('char', 1, true, true),
  uchar: T('uchar', 1, true, false),
  uint8: T('uchar', 1, true, false),
  short: T('short', 2, true, true),
  int16: T('short', 2, true, true),
  ushort: T('ushort', 2, true, false),
  uint16: T('ushort', 2, true, false),
  int: T('int', 4, true, true),
  int32: T('int', 4, true, true),
  uint: T('uint', 4, true, false),
  uint32: T('uint', 4, true, false),
  float: T('float', 4, false, true),
  float32: T('float', 4, false, true),
  double: T('double', 8, false, true),
  float64: T('double', 8, false, true),
};

export interface PlyProperty {
  name: string;
  /** Scalar type, or the item type of a list. */
  type: PlyType;
  /** Count type when this is a list property. */
  countType?: PlyType;
}

export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
  /** 1-based header line of the `element` declaration. */
  line: number;
}

export interface PlyHeader {
  format: PlyFormat;
  elements: PlyElement[];
  /** Byte offset where the body starts. */
  bodyOffset: number;
  /** Number of header lines (the body's first line is headerLines + 1 for ascii files). */
  headerLines: number;
}

/** Headers longer than this are refused (real headers are a few hundred bytes). */
const MAX_HEADER_BYTES = 1 << 20;

/** Largest row count accepted in a header (before the count-versus-size check). */
const MAX_COUNT = 2 ** 32 - 1;

export function parsePlyHeader(file: string, bytes: Uint8Array): PlyHeader {
  const bad = (line: number, msg: string) => new DataFormatError(file, { line }, msg);
  if (
    !(bytes[0] === 0x70 && bytes[1] === 0x6c && bytes[2] === 0x79 && (bytes[3] === 10 || bytes[3] === 13))
  ) {
    throw new DataFormatError(file, { byte: 0 }, "not a PLY file: it must start with a line 'ply'");
  }
  // Classic-Mac files end header lines with CR alone; then a body byte 0x0A after end_header is data.
  const crOnly = bytes[3] === 13 && bytes[4] !== 10;

  let format: PlyFormat | undefined;
  const elements: PlyElement[] = [];
  let pos = 0;
  let lineNo = 0;
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  while (pos < limit) {
    let end = pos;
    while (end < limit && bytes[end] !== 10 && bytes[end] !== 13) end++;
    if (end >= limit) break;
    lineNo++;
    const text = latin1(bytes, pos, end).trim();
    // Line terminator: CR LF counts as one, except in a CR-only header (see crOnly).
    let next = end + 1;
    if (bytes[end] === 13 && bytes[end + 1] === 10 && !crOnly) next++;
    pos = next;
    if (lineNo === 1) continue; // 'ply', checked above
    if (text === '') continue;
    const words = text.split(/\s+/);
    const kw = words[0]!;
    if (kw === 'end_header') {
      if (!format) throw bad(lineNo, "the header has no 'format' line");
      return { format, elements, bodyOffset: pos, headerLines: lineNo };
    }
    if (kw === 'comment' || kw === 'obj_info') continue;
    if (kw === 'format') {
      const f = words[1];
      if (f !== 'ascii' && f !== 'binary_little_endian' && f !== 'binary_big_endian') {
        throw bad(
          lineNo,
          `unknown format '${words[1] ?? ''}' (expected ascii, binary_little_endian or binary_big_endian)`,
        );
      }
      if (words[2] !== '1.0') throw bad(lineNo, `unsupported PLY version '${words[2] ?? ''}' (only 1.0)`);
      format = f;
      continue;
    }
    if (kw === 'element') {
      if (words.length !== 3)
        throw bad(lineNo, `malformed element line '${text}' (expected 'element NAME COUNT')`);
      const countText = words[2]!;
      if (!/^\d+$/.test(countText))
        throw bad(lineNo, `element '${words[1]}' has a bad row count '${countText}'`);
      const count = Number(countText);
      if (count > MAX_COUNT) throw bad(lineNo, `element '${words[1]}' declares ${countText} rows (too many)`);
      elements.push({ name: words[1]!, count, properties: [], line: lineNo });
      continue;
    }
    if (kw === 'property') {
      const el = elements[elements.length - 1];
      if (!el) throw bad(lineNo, "a 'property' line comes before any 'element' line");
      if (words[1] === 'list') {
        if (words.length !== 5) {
          throw bad(
            lineNo,
            `malformed list property '${text}' (expected 'property list COUNT_TYPE ITEM_TYPE NAME')`,
          );
        }
        const countType = PLY_TYPES[words[2]!];
        const type = PLY_TYPES[words[3]!];
        if (!countType) throw bad(lineNo, `unsupported list count type '${words[2]}'`);
        if (!countType.integer) throw bad(lineNo, `list count type '${words[2]}' is not an integer type`);
        if (!type) throw bad(lineNo, `unsupported list item type '${words[3]}'`);
        el.properties.push({ name: words[4]!, type, countType });
      } else {
        if (words.length !== 3)
          throw bad(lineNo, `malformed property line '${text}' (expected 'property TYPE NAME')`);
        const type = PLY_TYPES[words[1]!];
        if (!type) throw bad(lineNo, `unsupported property type '${words[1]}'`);
        el.properties.push({ name: words[2]!, type });
      }
      continue;
    }
    throw bad(lineNo, `unexpected header line '${text.slice(0, 60)}'`);
  }
  throw new DataFormatError(
    file,
    { byte: Math.min(bytes.length, limit) },
    bytes.length > MAX_HEADER_BYTES
      ? `no 'end_header' line in the first ${MAX_HEADER_BYTES} bytes`
      : "the header never ends (no 'end_header' line)",
  );
}

/**
 * Refuses a header whose elements cannot fit in the body, before anything is allocated: a binary
 * row takes at least the sizes of its scalars plus the count of each list; an ascii row at least one
 * token per property, and n tokens need 2n − 1 bytes.
 */
export function checkPlySizes(file: string, bytes: Uint8Array, h: PlyHeader): void {
  const body = bytes.length - h.bodyOffset;
  let need = 0;
  for (const el of h.elements) {
    if (el.count > 0 && el.properties.length === 0) {
      throw new DataFormatError(
        file,
        { line: el.line },
        `element '${el.name}' declares ${el.count} rows but no properties`,
      );
    }
    const perRow =
      h.format === 'ascii'
        ? 2 * el.properties.length
        : el.properties.reduce((s, p) => s + (p.countType ? p.countType.size : p.type.size), 0);
    need += el.count * perRow;
    if (need - (h.format === 'ascii' ? 1 : 0) > body) {
      throw new DataFormatError(
        file,
        { line: el.line },
        `the header declares ${el.count} '${el.name}' rows (with those before, at least ${need} bytes) ` +
          `but only ${body} bytes follow the header`,
      );
    }
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
