import { PRESET_NAMES, type PresetName } from '../train/presets';

/** The state that belongs in the URL, so a view can be shared: preset, seed and the open panel. */
export const PANELS = ['data', 'training', 'embeddings', 'similarity', 'fewshot', 'classify'] as const;
export type PanelId = (typeof PANELS)[number];
export const PANEL_TITLES: Record<PanelId, string> = {
  data: 'Data',
  training: 'Training',
  embeddings: 'Embeddings',
  similarity: 'Similarity',
  fewshot: 'Few-shot',
  classify: 'Classify',
};

export interface UrlState {
  preset: PresetName;
  seed: number;
  panel: PanelId;
}

export const DEFAULT_URL_STATE: UrlState = { preset: 'tiny', seed: 1, panel: 'data' };

export function parseUrlState(search: string): UrlState {
  const q = new URLSearchParams(search);
  const preset = q.get('preset');
  const seed = Number(q.get('seed'));
  const panel = q.get('panel');
  return {
    preset: (PRESET_NAMES as readonly string[]).includes(preset ?? '')
      ? (preset as PresetName)
      : DEFAULT_URL_STATE.preset,
    seed: q.has('seed') && Number.isInteger(seed) && seed >= 0 ? seed : DEFAULT_URL_STATE.seed,
    panel: (PANELS as readonly string[]).includes(panel ?? '') ? (panel as PanelId) : DEFAULT_URL_STATE.panel,
  };
}

export function formatUrlState(s: UrlState): string {
  return `?${new URLSearchParams({ preset: s.preset, seed: String(s.seed), panel: s.panel }).toString()}`;
}
