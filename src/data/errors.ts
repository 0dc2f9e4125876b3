/** Where in a file a problem was found: a 1-based line, a byte offset, or a named part (an HDF5 dataset). */
export type DataLocation = { line: number } | { byte: number } | { part: string };

export function describeLocation(at: DataLocation): string {
  if ('line' in at) return `line ${at.line}`;
  if ('byte' in at) return `byte ${at.byte}`;
  return at.part;
}

/**
 * A file that cannot be read as 3-D data: names the file, where it broke and what is wrong, e.g.
 * "ply/assimp/issue623.ply: line 27: vertex row 16 of 24 is cut short (the file ends)".
 * Every loader throws only this for bad input, whatever the bytes are.
 */
export class DataFormatError extends Error {
  override name = 'DataFormatError';
  constructor(
    readonly file: string,
    readonly at: DataLocation,
    readonly detail: string,
  ) {
    super(`${file}: ${describeLocation(at)}: ${detail}`);
  }
}
