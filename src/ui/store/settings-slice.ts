/** The address bar's settings (preset, seed, open panel) and the preset chosen for the adapter. */
import { defaultPresetFor, PRESETS } from '../../train/presets';
import { formatUrlState, parseUrlState } from '../url-state';
import type { SettingsSlice, SliceCreator } from './state';

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get, { address }) => {
  const search = address.read();
  // Whether the address named a preset (then it is kept even on a CPU fallback adapter).
  const namedPreset = new URLSearchParams(search).has('preset');
  return {
    url: parseUrlState(search),
    presetNote: null,

    setUrl(patch) {
      const url = { ...get().url, ...patch };
      set({ url });
      address.write(formatUrlState(url));
      if (patch.preset !== undefined || patch.seed !== undefined) {
        set({ resumeOffer: null }); // the offer was for the previous preset and seed
        void get().syncTrainer(false);
      }
    },

    choosePreset(adapter) {
      const preset = defaultPresetFor(adapter);
      if (namedPreset || preset === get().url.preset) return;
      get().setUrl({ preset });
      const tiny = PRESETS.tiny;
      set({
        presetNote:
          'CPU fallback adapter detected: using the first-look preset; the tiny preset is ' +
          `${tiny.points} points and ${tiny.dgcnn.emb}-wide, hours of training on this adapter ` +
          'before the panels show learning (choose it under Training → Preset).',
      });
    },
  };
};
