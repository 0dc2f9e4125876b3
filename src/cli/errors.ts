/** Bad command line (unknown command or flag, missing value): exit 2 with usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input the user can fix (missing file, wrong shape, NaN points...): exit 2, one line, no stack. */
export class InputError extends Error {
  override name = 'InputError';
}
