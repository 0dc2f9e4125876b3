/**
 * The run's settings in the address (preset, seed, open panel, the Training form, the sample
 * size) and the preset chosen once the adapter is known.
 */
import { cpuStepText, defaultPresetFor, isCpuFallback, PRESETS } from '../../train/presets';
import { formatAddress } from '../address';
import { hyperFromConfig } from '../model';
import type { SettingsSlice, SliceCreator } from './state';

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get, { address, initial }) => ({
  url: initial.url,
  presetDecided: initial.presetNamed,
  presetNote: null,

  writeAddress() {
    const s = get();
    address.write(
      formatAddress({ url: s.url, presetDecided: s.presetDecided, hyper: s.hyper, sample: s.sampleForm }),
    );
  },

  setUrl(patch) {
    set({
      url: { ...get().url, ...patch },
      ...(patch.preset !== undefined ? { presetDecided: true, presetNote: null } : {}),
    });
    get().writeAddress();
    if (patch.preset !== undefined || patch.seed !== undefined) {
      set({ resumeOffer: null }); // the offer was for the previous preset and seed
      void get().syncTrainer(false);
    }
  },

  choosePreset(adapter) {
    const { url, presetDecided } = get();
    if (presetDecided) {
      // Named by the address or the user: kept, with the cost on a CPU adapter said plainly.
      if (isCpuFallback(adapter) && url.preset !== 'first-look')
        set({
          presetNote:
            `CPU fallback adapter: the ${url.preset} preset (from the address) takes ${cpuStepText(url.preset)} per ` +
            `step here, so learning shows only after hours; the first-look preset (${cpuStepText('first-look')} ` +
            'per step) shows it within ten minutes.',
        });
      return;
    }
    const preset = defaultPresetFor(adapter);
    set({ presetDecided: true });
    if (preset === url.preset) {
      get().writeAddress();
      return;
    }
    get().setUrl({ preset });
    const tiny = PRESETS.tiny;
    set({
      presetNote:
        'CPU fallback adapter detected: using the first-look preset; the tiny preset is ' +
        `${tiny.points} points and ${tiny.dgcnn.emb}-wide, ${cpuStepText('tiny')} per step on ` +
        'this adapter, hours before the panels show learning (choose it under Training → Preset).',
    });
  },

  adoptSettings(config) {
    const sample = config.data?.sample;
    set({
      url: { ...get().url, preset: config.preset, seed: config.seed },
      presetDecided: true,
      hyper: hyperFromConfig(config),
      ...(sample ? { sampleForm: { perClass: sample.perClass, views: sample.views } } : {}),
    });
    get().writeAddress();
  },
});
