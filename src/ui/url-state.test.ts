import { describe, expect, it } from 'vitest';
import { DEFAULT_URL_STATE, formatUrlState, parseUrlState } from './url-state';

describe('URL state', () => {
  it('round-trips preset, seed and panel', () => {
    const s = { preset: 'small', seed: 42, panel: 'similarity' } as const;
    expect(parseUrlState(formatUrlState(s))).toEqual(s);
  });
  it('falls back to defaults for missing or bad values', () => {
    expect(parseUrlState('')).toEqual(DEFAULT_URL_STATE);
    expect(parseUrlState('?preset=huge&seed=-3&panel=nope')).toEqual(DEFAULT_URL_STATE);
    expect(parseUrlState('?seed=1.5').seed).toBe(DEFAULT_URL_STATE.seed);
  });
});
