import { type DataLocation, DataFormatError } from '../errors';

/** Decimal number syntax shared by the text readers (no hex, no empty strings, unlike Number()). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(inf|infinity|nan)$/i;
const INTEGER = /^[+-]?\d+$/;

/** A decimal or inf/nan token as a number; undefined when the token is not a number at all. */
export function parseDecimal(tok: string): number | undefined {
  if (DECIMAL.test(tok)) return Number(tok);
  if (NON_FINITE.test(tok)) {
    const t = tok.toLowerCase();
    if (t.includes('nan')) return Number.NaN;
    return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return undefined;
}

export function isIntegerToken(tok: string): boolean {
  return INTEGER.test(tok);
}

/** Refuses a cloud with no points. */
export function requirePoints(file: string, n: number, at: DataLocation, what = 'points'): void {
  if (n === 0)
    throw new DataFormatError(file, at, `the file holds no ${what} (an empty cloud cannot be used)`);
}

/**
 * Refuses NaN or infinite coordinates, naming the first bad point. `locate` maps a point index to
 * where it sits in the file (a line or a byte offset).
 */
export function checkFinitePoints(
  file: string,
  points: ArrayLike<number>,
  locate: (point: number) => DataLocation,
  what = 'point',
): void {
  for (let i = 0; i < points.length; i++) {
    const v = points[i]!;
    if (!Number.isFinite(v)) {
      const p = Math.floor(i / 3);
      throw new DataFormatError(
        file,
        locate(p),
        `${what} ${p} has a non-finite coordinate (${'xyz'[i % 3]} = ${v}); NaN and infinite coordinates are refused`,
      );
    }
  }
}

/** True when every value is finite (used to decide whether to keep optional normals). */
export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

export interface BoundingBox {
  min: [number, number, number];
  max: [number, number, number];
}

/** Axis-aligned bounds of [N·3] points (N > 0). */
export function boundingBox(points: ArrayLike<number>): BoundingBox {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < points.length; i++) {
    const c = i % 3;
    const v = points[i]!;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
  }
  return { min, max };
}

/** Lines of a text file (LF, CRLF or CR endings); bytes that are not UTF-8 become U+FFFD and fail number parsing. */
export function textLines(bytes: Uint8Array): string[] {
  return new TextDecoder('utf-8').decode(bytes).split(/\r\n|\r|\n/);
}

/** A growable Uint32Array (face indices of unknown final count). */
export class U32Builder {
  private buf: Uint32Array;
  length = 0;
  constructor(capacity = 64) {
    this.buf = new Uint32Array(Math.max(4, capacity));
  }
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2 + 3);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = a;
    this.buf[this.length++] = b;
    this.buf[this.length++] = c;
  }
  finish(): Uint32Array {
    return this.buf.slice(0, this.length);
  }
}
