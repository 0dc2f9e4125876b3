import { DataFormatError } from '../errors';
import { loadHdf5 } from './hdf5';
import { loadModelNetText } from './modelnet40-txt';
import { loadObj } from './obj';
import { loadOff } from './off';
import { loadPly } from './ply';
import { loadShapeNetPartText } from './shapenetpart-txt';
import type { Loaded } from './types';

export { DataFormatError } from '../errors';
export { loadHdf5 } from './hdf5';
export { loadModelNetText } from './modelnet40-txt';
export { loadObj } from './obj';
export { loadOff } from './off';
export { loadPly } from './ply';
export { resample, toPointCloud } from './resample';
export { loadShapeNetPartText } from './shapenetpart-txt';
export * from './types';

export const SUPPORTED_EXTENSIONS = ['.ply', '.off', '.obj', '.txt', '.pts', '.xyz', '.h5', '.hdf5'] as const;

/**
 * Reads any supported file, choosing the reader by its signature (ply, HDF5, OFF) and otherwise by
 * extension. Throws DataFormatError, naming the file and the place, for anything it cannot use.
 */
export async function loadAny(name: string, bytes: Uint8Array): Promise<Loaded> {
  const ext = /\.[^./\\]*$/.exec(name)?.[0]?.toLowerCase() ?? '';
  const head = String.fromCharCode(...bytes.subarray(0, 8));
  try {
    if (head.startsWith('ply') || ext === '.ply') return loadPly(name, bytes);
    if (head.startsWith('\x89HDF') || ext === '.h5' || ext === '.hdf5') return await loadHdf5(name, bytes);
    if (/^(C?N?OFF)(\s|\d)/.test(head) || ext === '.off') return loadOff(name, bytes);
    if (ext === '.obj') return loadObj(name, bytes);
    if (ext === '.txt' || ext === '.pts' || ext === '.xyz') {
      return looksLikeShapeNetPart(bytes) ? loadShapeNetPartText(name, bytes) : loadModelNetText(name, bytes);
    }
  } catch (e) {
    if (e instanceof DataFormatError) throw e;
    // A reader bug must still reach the user as a message about the file, not a crash.
    throw new DataFormatError(name, { byte: 0 }, `could not be read: ${(e as Error)?.message ?? String(e)}`);
  }
  throw new DataFormatError(
    name,
    { byte: 0 },
    `unrecognised file type '${ext || '(no extension)'}' (expected ${SUPPORTED_EXTENSIONS.join(', ')})`,
  );
}

/** Seven whitespace-separated columns on the first non-empty line: x y z nx ny nz part. */
function looksLikeShapeNetPart(bytes: Uint8Array): boolean {
  const start = new TextDecoder().decode(bytes.subarray(0, 4096));
  const line = start.split(/\r\n|\r|\n/).find((l) => l.trim() !== '');
  return !!line && !line.includes(',') && line.trim().split(/\s+/).length === 7;
}
