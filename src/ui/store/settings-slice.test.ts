import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress, settle } from '../../../test/fake-engine';
import { trainerReply } from '../../../test/store-fixtures';
import type { AdapterSummary } from '../../gpu/adapter-info';
import { cpuStepText, defaultPresetFor } from '../../train/presets';
import { createAppStore } from './index';

const adapter = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader driver',
  isFallbackAdapter: false,
  features: [],
  limits: {},
} as unknown as AdapterSummary;

describe('the settings slice', () => {
  it('reads the address once and writes every change back', () => {
    const address = fakeAddress('?preset=small&seed=4&panel=few-shot&epochs=45&lr=0.003&losses=cmid&views=2');
    const app = createAppStore(new FakeEngine(), address);
    expect(app.getState().url).toEqual({ preset: 'small', seed: 4, panel: 'fewshot' });
    expect(app.getState().hyper).toMatchObject({ epochs: '45', lr: '0.003', imid: false, cmid: true });
    expect(app.getState().sampleForm).toEqual({ perClass: 8, views: 2 });
    app.getState().setUrl({ panel: 'training' });
    app.getState().setHyper({ batch: '4' });
    expect(address.written).toEqual([
      '?preset=small&seed=4&panel=training&lr=0.003&epochs=45&losses=cmid&views=2',
      '?preset=small&seed=4&panel=training&batch=4&lr=0.003&epochs=45&losses=cmid&views=2',
    ]);
  });

  it('a new preset or seed drops the resume offer and asks for that run’s trainer state', async () => {
    const e = new FakeEngine();
    e.replies['trainer-state'] = () => trainerReply({ step: 0 });
    const app = createAppStore(e, fakeAddress());
    app.setState({ resumeOffer: { step: 3, savedAt: 0 } });
    app.getState().setUrl({ panel: 'data' });
    expect(app.getState().resumeOffer).not.toBeNull();
    app.getState().setUrl({ seed: 7 });
    await settle();
    expect(app.getState().resumeOffer).toBeNull();
    expect(e.requests).toEqual([{ type: 'trainer-state', config: expect.objectContaining({ seed: 7 }) }]);
  });

  it('an address that names a heavy preset keeps it on a CPU fallback adapter, with its step time', () => {
    const address = fakeAddress('?preset=tiny');
    const app = createAppStore(new FakeEngine(), address);
    app.getState().choosePreset(adapter);
    expect(app.getState().url.preset).toBe('tiny');
    expect(app.getState().presetNote).toBe(
      'CPU fallback adapter: the tiny preset (from the address) takes about 11 s per step ' +
        'here, so learning shows only after hours; the first-look preset (about 1.7 s ' +
        'per step) shows it within ten minutes.',
    );
    expect(cpuStepText('paper')).toBe('more than 130 s');
    const gpu = createAppStore(new FakeEngine(), fakeAddress('?preset=paper'));
    gpu.getState().choosePreset({ ...adapter, architecture: '', description: 'NVIDIA', vendor: 'nvidia' });
    expect(gpu.getState().presetNote).toBeNull();
  });

  it('before the adapter is known the address leaves the preset out, so a reload cannot pin the fallback', () => {
    const address = fakeAddress('?seed=3');
    const app = createAppStore(new FakeEngine(), address);
    app.getState().setUrl({ panel: 'training' });
    expect(address.written.at(-1)).toBe('?seed=3&panel=training');
    // A reload now reads no preset: the adapter still decides.
    const reloaded = createAppStore(new FakeEngine(), fakeAddress(address.written.at(-1)));
    reloaded.getState().choosePreset(adapter);
    expect(reloaded.getState().url.preset).toBe('first-look');
    expect(reloaded.getState().presetNote).toMatch(/^CPU fallback adapter detected/);
    // A preset the user picks before the engine is ready is theirs.
    const picked = createAppStore(new FakeEngine(), fakeAddress());
    picked.getState().setUrl({ preset: 'small' });
    picked.getState().choosePreset(adapter);
    expect(picked.getState().url.preset).toBe('small');
  });

  it('unusable address values are reported as notices, not silently replaced', () => {
    const app = createAppStore(new FakeEngine(), fakeAddress('?preset=huge&seed=-5&batch=abc&per-class=1'));
    expect(app.getState().notices.map((n) => n.text)).toEqual([
      'The address\'s preset "huge" is not a preset (first-look, tiny, small, paper); the adapter\'s default is used.',
      "The address's seed=-5 is not a seed (an integer ≥ 0); seed 1 is used.",
      "The address's batch=abc is not a number; the Training form shows it for correction.",
      "The address's per-class=1 is not an integer ≥ 2; 8 is used.",
    ]);
    expect(app.getState().hyper.batch).toBe('abc');
  });

  it('the default preset follows the adapter', () => {
    expect(defaultPresetFor(adapter)).toBe('first-look');
    expect(defaultPresetFor({ ...adapter, architecture: '', description: 'NVIDIA', vendor: 'nvidia' })).toBe(
      'tiny',
    );
    expect(defaultPresetFor({ ...adapter, architecture: '', description: '', isFallbackAdapter: true })).toBe(
      'first-look',
    );
  });
});
