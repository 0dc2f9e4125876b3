import { afterEach, describe, expect, it } from 'vitest';
import { FakeEngine, fakeAddress, settle } from '../../../test/fake-engine';
import { trainerReply } from '../../../test/store-fixtures';
import { formatClock } from '../format';
import { createAppStore } from './index';

const SWIFTSHADER = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: 'SwiftShader driver',
  isFallbackAdapter: false,
  features: [],
  limits: {},
};

function readyEngine(): FakeEngine {
  const e = new FakeEngine();
  e.replies.init = () =>
    ({
      id: 1,
      type: 'ready',
      adapter: SWIFTSHADER,
      hasTimestamps: false,
      capabilities: { dataset: false, files: true, trainer: true },
    }) as never;
  e.replies.selftest = () => ({ id: 1, type: 'error', kind: 'Error', message: 'skipped' });
  e.replies['trainer-state'] = () =>
    trainerReply({
      autosave: { step: 12, savedAt: new Date(2026, 11, 5, 9, 7, 3).getTime(), bytes: 100, config: null },
    });
  return e;
}

const withGpu = () =>
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true });

describe('the engine slice', () => {
  afterEach(() => {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
  });

  it('without navigator.gpu says WebGPU is unavailable and how to get it, asking the engine nothing', async () => {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    const e = new FakeEngine();
    const app = createAppStore(e, fakeAddress());
    await app.getState().start();
    const s = app.getState().engine;
    expect(s.kind).toBe('unavailable');
    expect(s.kind === 'unavailable' && s.advice).toMatch(/enable-unsafe-webgpu/);
    expect(e.requests).toEqual([]);
  });

  it('a failed init is shown as failed with its message', async () => {
    withGpu();
    const e = new FakeEngine();
    e.replies.init = () => ({ id: 1, type: 'error', kind: 'Error', message: 'no adapter' });
    const app = createAppStore(e, fakeAddress());
    await app.getState().start();
    expect(app.getState().engine).toEqual({ kind: 'failed', message: 'no adapter' });
  });

  it('on a CPU fallback adapter a first visit uses first-look, says so, and offers to resume an autosave', async () => {
    withGpu();
    const address = fakeAddress('?seed=1&panel=data');
    const app = createAppStore(readyEngine(), address);
    await app.getState().start();
    await settle();
    const s = app.getState();
    expect(s.engine.kind).toBe('ready');
    expect(s.url.preset).toBe('first-look');
    expect(address.written.at(-1)).toMatch(/preset=first-look/);
    expect(s.presetNote).toMatch(
      /^CPU fallback adapter detected: using the first-look preset; the tiny preset is/,
    );
    expect(s.resumeOffer).toEqual({ step: 12, savedAt: new Date(2026, 11, 5, 9, 7, 3).getTime() });
    expect(formatClock(s.resumeOffer!.savedAt)).toBe('09:07:03');
    expect(formatClock(s.resumeOffer!.savedAt, false)).toBe('09:07');
    // The self-test's failure is a notice; notices can be dismissed one by one.
    expect(s.notices.map((n) => n.text)).toEqual(['Kernel self-test failed: skipped']);
    s.dismissNotice(s.notices[0]!.id);
    expect(app.getState().notices).toEqual([]);
  });

  it('routes device loss and GPU errors to notices, run events to the training slice', async () => {
    withGpu();
    const e = readyEngine();
    const app = createAppStore(e, fakeAddress('?preset=tiny'));
    await app.getState().start();
    await settle();
    e.emit({ id: -1, type: 'device-lost', reason: 'unknown', message: 'gone' });
    e.emit({ id: -1, type: 'trainer-state', state: { ...app.getState().trainer, step: 9 } });
    expect(app.getState().notices.at(-1)?.text).toBe('GPU device lost: gone');
    expect(app.getState().trainer.step).toBe(9);
  });
});
