/**
 * Feature and label arrays read from .npy files for the evaluation commands. Every problem
 * becomes an InputError naming the flag and the file (exit 2, one line).
 */
import { readFileSync } from 'node:fs';
import type { FeatureSet } from '../eval/features';
import { type NpyArray, NpyError, readNpy } from '../io/npy';
import { InputError, UsageError } from './errors';

function load(path: string, flag: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new InputError(`--${flag}: cannot read "${path}": ${why}`);
  }
  try {
    return readNpy(bytes);
  } catch (e) {
    if (e instanceof NpyError) throw new InputError(`--${flag} "${path}": ${e.message}`);
    throw e;
  }
}

/** A [n, d] float32 or float64 array. */
export function readFeatures(
  path: string,
  flag: string,
): { features: Float32Array | Float64Array; n: number; d: number } {
  const a = load(path, flag);
  if (a.dtype !== 'float32' && a.dtype !== 'float64') {
    throw new InputError(`--${flag} "${path}": features must be float32 or float64, got ${a.dtype}`);
  }
  if (a.shape.length !== 2 || a.shape[0] === 0 || a.shape[1] === 0) {
    throw new InputError(
      `--${flag} "${path}": features must have shape [n, d] with n, d > 0, got [${a.shape.join(', ')}]`,
    );
  }
  return { features: a.data as Float32Array | Float64Array, n: a.shape[0]!, d: a.shape[1]! };
}

/** Integer labels of shape [n] or [n, 1], as Int32Array. */
export function readLabels(path: string, flag: string): Int32Array {
  const a = load(path, flag);
  if (!['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'].includes(a.dtype)) {
    throw new InputError(
      `--${flag} "${path}": labels must be integers (int32, int64, uint8, ...), got ${a.dtype}`,
    );
  }
  if (!(a.shape.length === 1 || (a.shape.length === 2 && a.shape[1] === 1))) {
    throw new InputError(
      `--${flag} "${path}": labels must have shape [n] or [n, 1], got [${a.shape.join(', ')}]`,
    );
  }
  const out = new Int32Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Number(a.data[i]!);
    if (v < -(2 ** 31) || v >= 2 ** 31)
      throw new InputError(`--${flag} "${path}": label ${a.data[i]} at ${i} does not fit int32`);
    out[i] = v;
  }
  return out;
}

/** Features and labels of one split, checked to have one label per row. */
export function readSplit(
  featPath: string,
  featFlag: string,
  labelPath: string,
  labelFlag: string,
): FeatureSet {
  const f = readFeatures(featPath, featFlag);
  const labels = readLabels(labelPath, labelFlag);
  if (labels.length !== f.n) {
    throw new InputError(`--${featFlag} has ${f.n} rows but --${labelFlag} has ${labels.length} labels`);
  }
  return { features: f.features, labels };
}

/** Throws a UsageError (exit 2 with the usage) naming the required flags that are missing. */
export function required(flags: Record<string, unknown>, ...names: string[]): void {
  const missing = names.filter((n) => flags[n] === undefined);
  if (missing.length) throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}`);
}
