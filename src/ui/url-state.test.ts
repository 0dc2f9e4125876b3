import { describe, expect, it } from 'vitest';
import {
  DEFAULT_URL_STATE,
  formatUrlState,
  PANEL_TITLES,
  PANELS,
  parsePanel,
  parseUrlState,
  unknownPanelNotice,
} from './url-state';

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
  it('panel= takes the visible tab label or the id, in any case, with spaces or hyphens', () => {
    for (const v of ['few-shot', 'Few-shot', 'FEW SHOT', 'few_shot', 'fewshot', 'Few-Shot']) {
      expect(parseUrlState(`?panel=${encodeURIComponent(v)}`).panel, v).toBe('fewshot');
    }
    expect(parseUrlState('?panel=few+shot').panel).toBe('fewshot');
    expect(parseUrlState('?panel=Similarity').panel).toBe('similarity');
    expect(parseUrlState('?panel=TRAINING').panel).toBe('training');
    // Every tab's own label and id lead back to it.
    for (const p of PANELS) {
      expect(parsePanel(PANEL_TITLES[p])).toBe(p);
      expect(parsePanel(p)).toBe(p);
    }
    expect(parsePanel('few-shots')).toBeUndefined();
    expect(parsePanel('')).toBeUndefined();
    // The URL written back uses the id.
    expect(formatUrlState(parseUrlState('?panel=Few-shot'))).toContain('panel=fewshot');
  });
  it('an unknown panel name gives a notice listing the panels; a known or absent one gives none', () => {
    const n = unknownPanelNotice('?panel=fewshots');
    expect(n).toContain('"fewshots"');
    expect(n).toContain('Data panel is open');
    for (const p of PANELS) expect(n).toContain(p);
    expect(n).toContain('few-shot (or fewshot)');
    expect(unknownPanelNotice('?panel=few-shot')).toBeUndefined();
    expect(unknownPanelNotice('?preset=tiny')).toBeUndefined();
    expect(unknownPanelNotice('?panel=')).toBeUndefined();
  });
});
