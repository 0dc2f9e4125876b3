/** Bad command line (unknown command or flag, missing value): exit 2 with usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

// Input errors are shared with the layers below the CLI (evaluation throws them too).
export { InputError } from '../util/errors';
