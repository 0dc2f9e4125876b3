import { DataFormatError } from '../errors';
import { parseDecimal, textLines } from './checks';

/**
 * Numbers in columns, one point per line, split by commas or whitespace (the ModelNet40 resampled
 * and ShapeNetPart text layouts). Every non-empty line must have the same number of columns,
 * `allowed` lists the counts the caller accepts.
 */
export interface Columns {
  rows: number;
  cols: number;
  /** [rows·cols] values as float64 (labels stay exact). */
  values: Float64Array;
  /** 1-based line of each row. */
  lines: Int32Array;
  separator: 'comma' | 'space';
}

export function readColumns(file: string, bytes: Uint8Array, allowed: readonly number[]): Columns {
  const lines = textLines(bytes);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0)
    throw new DataFormatError(file, { line: 1 }, 'the file is empty (an empty cloud cannot be used)');
  const separator = lines[first]!.includes(',') ? 'comma' : 'space';
  const split = (l: string) =>
    separator === 'comma' ? l.split(',').map((t) => t.trim()) : l.trim().split(/\s+/);
  const cols = split(lines[first]!).length;
  if (!allowed.includes(cols)) {
    throw new DataFormatError(
      file,
      { line: first + 1 },
      `expected ${allowed.join(' or ')} numbers per line, found ${cols} ('${lines[first]!.trim().slice(0, 60)}')`,
    );
  }
  let rows = 0;
  for (let i = first; i < lines.length; i++) if (lines[i]!.trim() !== '') rows++;
  const values = new Float64Array(rows * cols);
  const rowLines = new Int32Array(rows);
  let r = 0;
  for (let i = first; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    const toks = split(l);
    if (toks.length !== cols) {
      throw new DataFormatError(
        file,
        { line: i + 1 },
        `expected ${cols} numbers as on line ${first + 1}, found ${toks.length}`,
      );
    }
    for (let c = 0; c < cols; c++) {
      const v = parseDecimal(toks[c]!);
      if (v === undefined) {
        throw new DataFormatError(
          file,
          { line: i + 1 },
          `column ${c + 1}: '${toks[c]!.slice(0, 30)}' is not a number`,
        );
      }
      values[r * cols + c] = v;
    }
    rowLines[r++] = i + 1;
  }
  return { rows, cols, values, lines: rowLines, separator };
}

/** Columns [c0, c0+3) of every row as float32 [rows·3]. */
export function takeXyz(c: Columns, c0: number): Float32Array {
  const out = new Float32Array(c.rows * 3);
  for (let r = 0; r < c.rows; r++)
    for (let k = 0; k < 3; k++) out[r * 3 + k] = c.values[r * c.cols + c0 + k]!;
  return out;
}
