/**
 * Errors any layer may throw about its input (below every layer that catches them: the CLI
 * turns an InputError into exit 2 and one line, the worker into a message to the page).
 */

/** Bad input the user can fix (missing file, wrong shape, NaN points...): exit 2, one line, no stack. */
export class InputError extends Error {
  override name = 'InputError';
}
