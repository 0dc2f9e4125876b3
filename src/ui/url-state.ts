import { PRESET_NAMES, type PresetName } from '../train/presets';

/** The state that belongs in the URL, so a view can be shared: preset, seed and the open panel. */
export const PANELS = [
  'data',
  'training',
  'embeddings',
  'similarity',
  'fewshot',
  'classify',
  'parts',
] as const;
export type PanelId = (typeof PANELS)[number];
export const PANEL_TITLES: Record<PanelId, string> = {
  data: 'Data',
  training: 'Training',
  embeddings: 'Embeddings',
  similarity: 'Similarity',
  fewshot: 'Few-shot',
  classify: 'Classify',
  parts: 'Parts',
};

export interface UrlState {
  preset: PresetName;
  seed: number;
  panel: PanelId;
}

export const DEFAULT_URL_STATE: UrlState = { preset: 'tiny', seed: 1, panel: 'data' };

/** A panel name as people write it: case, spaces, hyphens and underscores do not count. */
function panelKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/**
 * The panel a `panel=` value names: its id (`fewshot`) or its visible tab label (`Few-shot`,
 * `few-shot`, `few shot`), in any case; undefined for anything else.
 */
export function parsePanel(name: string): PanelId | undefined {
  const key = panelKey(name);
  return PANELS.find((p) => panelKey(p) === key || panelKey(PANEL_TITLES[p]) === key);
}

/** The line shown when the URL names a panel that does not exist; undefined when it names one or none. */
export function unknownPanelNotice(search: string): string | undefined {
  const name = new URLSearchParams(search).get('panel');
  if (name === null || name === '' || parsePanel(name)) return undefined;
  const names = PANELS.map((p) =>
    PANEL_TITLES[p].toLowerCase() === p ? p : `${PANEL_TITLES[p].toLowerCase()} (or ${p})`,
  );
  return `There is no panel "${name}" (from the URL), so the ${PANEL_TITLES[DEFAULT_URL_STATE.panel]} panel is open. Panels: ${names.join(', ')}.`;
}

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
    panel: (panel === null ? undefined : parsePanel(panel)) ?? DEFAULT_URL_STATE.panel,
  };
}

export function formatUrlState(s: UrlState): string {
  return `?${new URLSearchParams({ preset: s.preset, seed: String(s.seed), panel: s.panel }).toString()}`;
}
