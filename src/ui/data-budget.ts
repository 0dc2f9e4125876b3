/**
 * The GPU budget a folder's set may take in the tab before it streams from the disk cache: the
 * tab's 4 GiB, or (a testing knob) the address's `?data-budget=BYTES`, read once when the page
 * loads (the address is rewritten afterwards), so a small folder streams as a large one would.
 */
import { DATA_BUDGET_BYTES } from '../train/training-data-bytes';

export function parseDataBudget(search: string): number | undefined {
  const raw = new URLSearchParams(search).get('data-budget');
  if (raw === null) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}

/** The testing knob's value, when the page was opened with one. */
export const TEST_DATA_BUDGET = parseDataBudget(typeof location === 'undefined' ? '' : location.search);

export const dataBudget = (): number => TEST_DATA_BUDGET ?? DATA_BUDGET_BYTES;
