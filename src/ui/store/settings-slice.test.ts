import { describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress, settle } from '../../../test/fake-engine';
import { trainerReply } from '../../../test/store-fixtures';
import type { AdapterSummary } from '../../gpu/adapter-info';
import { defaultPresetFor } from '../../train/presets';
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
    const address = fakeAddress('?preset=small&seed=4&panel=few-shot');
    const app = createAppStore(new FakeEngine(), address);
    expect(app.getState().url).toEqual({ preset: 'small', seed: 4, panel: 'fewshot' });
    app.getState().setUrl({ panel: 'training' });
    expect(address.written).toEqual(['?preset=small&seed=4&panel=training']);
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

  it('an address that names a preset keeps it on a CPU fallback adapter', () => {
    const app = createAppStore(new FakeEngine(), fakeAddress('?preset=tiny'));
    app.getState().choosePreset(adapter);
    expect(app.getState().url.preset).toBe('tiny');
    expect(app.getState().presetNote).toBeNull();
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
