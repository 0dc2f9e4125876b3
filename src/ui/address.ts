/**
 * The page's address carries every setting of a run, so a shared link or a reload reproduces it:
 * preset, seed and open panel (url-state.ts), the Training form's values and the sample set's
 * size. Values that cannot be used are reported, never silently replaced.
 */
import { PRESET_NAMES, type PresetName } from '../train/presets';
import { DEFAULT_HYPER, DEFAULT_SAMPLE, type HyperForm, type SampleForm } from './model';
import { DEFAULT_URL_STATE, parsePanel, type UrlState } from './url-state';

/** The address's name of each numeric Training field. */
const HYPER_KEYS = {
  batch: 'batch',
  lr: 'lr',
  weightDecay: 'wd',
  temperature: 'temp',
  k: 'k',
  epochs: 'epochs',
  checkpointEvery: 'autosave',
} as const satisfies Partial<Record<keyof HyperForm, string>>;
type NumericHyper = keyof typeof HYPER_KEYS;

export interface Address {
  url: UrlState;
  /** Whether the address named a valid preset (then a CPU adapter keeps it, with a warning). */
  presetNamed: boolean;
  hyper: HyperForm;
  sample: SampleForm;
  /** One sentence per value that could not be used, and what is used instead. */
  problems: string[];
}

const isCount = (v: number, min: number) => Number.isInteger(v) && v >= min;

export function parseAddress(search: string): Address {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const url = { ...DEFAULT_URL_STATE };
  const preset = q.get('preset');
  let presetNamed = false;
  if (preset !== null) {
    if ((PRESET_NAMES as readonly string[]).includes(preset)) {
      url.preset = preset as PresetName;
      presetNamed = true;
    } else {
      problems.push(
        `The address's preset "${preset}" is not a preset (${PRESET_NAMES.join(', ')}); the adapter's default is used.`,
      );
    }
  }
  const seed = q.get('seed');
  if (seed !== null) {
    if (isCount(Number(seed), 0) && seed.trim() !== '') url.seed = Number(seed);
    else
      problems.push(
        `The address's seed=${seed} is not a seed (an integer ≥ 0); seed ${DEFAULT_URL_STATE.seed} is used.`,
      );
  }
  const panel = q.get('panel');
  if (panel !== null) url.panel = parsePanel(panel) ?? DEFAULT_URL_STATE.panel; // App.tsx reports it

  const hyper: HyperForm = { ...DEFAULT_HYPER };
  for (const [field, key] of Object.entries(HYPER_KEYS) as [NumericHyper, string][]) {
    const v = q.get(key);
    if (v === null) continue;
    // Kept as typed: the Training form shows why a value cannot be trained.
    hyper[field] = v;
    if (v.trim() === '' || !Number.isFinite(Number(v)))
      problems.push(`The address's ${key}=${v} is not a number; the Training form shows it for correction.`);
  }
  const losses = q.get('losses');
  if (losses !== null) {
    const terms = losses.split(',').filter((t) => t !== '');
    const bad = terms.filter((t) => t !== 'imid' && t !== 'cmid');
    if (bad.length || terms.length === 0)
      problems.push(
        `The address's losses=${losses} is not a list of loss terms (imid, cmid); both terms are used.`,
      );
    else {
      hyper.imid = terms.includes('imid');
      hyper.cmid = terms.includes('cmid');
    }
  }

  const sample = { ...DEFAULT_SAMPLE };
  for (const [field, key, min] of [
    ['perClass', 'per-class', 2],
    ['views', 'views', 1],
  ] as const) {
    const v = q.get(key);
    if (v === null) continue;
    if (isCount(Number(v), min) && v.trim() !== '') sample[field] = Number(v);
    else
      problems.push(
        `The address's ${key}=${v} is not an integer ≥ ${min}; ${DEFAULT_SAMPLE[field]} is used.`,
      );
  }
  return { url, presetNamed, hyper, sample, problems };
}

/**
 * The address of a view: the preset only once it is decided (named, chosen, or picked for the
 * adapter: a reload before the engine is ready must not pin the fallback), the Training fields
 * that are filled in, the losses when one is off, the sample size when not the default.
 */
export function formatAddress(s: {
  url: UrlState;
  presetDecided: boolean;
  hyper: HyperForm;
  sample: SampleForm;
}): string {
  const q = new URLSearchParams();
  if (s.presetDecided) q.set('preset', s.url.preset);
  q.set('seed', String(s.url.seed));
  q.set('panel', s.url.panel);
  for (const [field, key] of Object.entries(HYPER_KEYS) as [NumericHyper, string][]) {
    const v = s.hyper[field].trim();
    if (v !== '' && !(field === 'checkpointEvery' && v === DEFAULT_HYPER.checkpointEvery)) q.set(key, v);
  }
  if (!s.hyper.imid || !s.hyper.cmid)
    q.set('losses', [s.hyper.imid && 'imid', s.hyper.cmid && 'cmid'].filter(Boolean).join(','));
  if (s.sample.perClass !== DEFAULT_SAMPLE.perClass) q.set('per-class', String(s.sample.perClass));
  if (s.sample.views !== DEFAULT_SAMPLE.views) q.set('views', String(s.sample.views));
  return `?${q.toString()}`;
}
