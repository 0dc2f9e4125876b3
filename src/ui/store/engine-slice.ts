/** The engine worker's start (adapter, capabilities, self-test) and the page's notices. */
import type { EngineEvent } from '../../worker/protocol';
import type { EngineSlice, SliceCreator } from './state';

// Kept here (not imported from gpu/context) so the main bundle does not pull engine code.
const WEBGPU_ADVICE =
  'Use a browser with WebGPU: Chrome or Edge 113+ on Windows, macOS or ChromeOS, Chrome 121+ on ' +
  'Android, Safari 26+, or Firefox 141+ on Windows. On Linux start Chrome/Chromium with ' +
  '--enable-unsafe-webgpu (and --enable-features=Vulkan), or enable chrome://flags/#enable-unsafe-webgpu.';

export const createEngineSlice: SliceCreator<EngineSlice> = (set, get, { engine, initial }) => {
  // The address's unusable values are the first notices.
  const notices = initial.problems.map((text, i) => ({ id: i + 1, text }));
  let nextNoticeId = notices.length + 1;

  function onEvent(ev: EngineEvent) {
    if (ev.type === 'device-lost') get().notify(`GPU device lost: ${ev.message}`);
    else if (ev.type === 'gpu-error') get().notify(`${ev.kind}: ${ev.message}`);
    else if (ev.type === 'parts-epoch' || ev.type === 'parts-state') get().onPartsEvent(ev);
    else if (ev.type === 'kernels') {
      const e = get().engine;
      if (e.kind === 'ready') set({ engine: { ...e, kernels: ev.kernels } });
    } else get().onTrainerEvent(ev);
  }

  return {
    engine: { kind: 'starting' },
    selfTest: undefined,
    notices,

    notify(text) {
      set({ notices: [...get().notices, { id: nextNoticeId++, text }] });
    },

    dismissNotice(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },

    async start() {
      // The URL always names the full view, so it can be copied and shared as it is.
      get().writeAddress();
      if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
        set({
          engine: {
            kind: 'unavailable',
            reason: 'This browser does not expose WebGPU (navigator.gpu is missing).',
            advice: WEBGPU_ADVICE,
          },
        });
        return;
      }
      const client = engine();
      client.onEvent(onEvent);
      try {
        const ev = await client.request({ type: 'init' });
        if (ev.type === 'unavailable') {
          set({ engine: { kind: 'unavailable', reason: ev.reason, advice: ev.advice } });
          return;
        }
        if (ev.type !== 'ready')
          throw new Error(ev.type === 'error' ? ev.message : `unexpected reply ${ev.type}`);
        set({
          engine: {
            kind: 'ready',
            adapter: ev.adapter,
            hasTimestamps: ev.hasTimestamps,
            capabilities: ev.capabilities,
            kernels: 'probing…',
          },
        });
        get().choosePreset(ev.adapter);
        void client.request({ type: 'selftest' }).then((st) => {
          if (st.type === 'selftest') set({ selfTest: st.result });
          else if (st.type === 'error') get().notify(`Kernel self-test failed: ${st.message}`);
        });
        void get().syncTrainer(true);
        // A first-time visitor sees shapes at once: generate the default sample set.
        if (ev.capabilities.dataset) void get().generate();
      } catch (e) {
        set({ engine: { kind: 'failed', message: (e as Error).message } });
      }
    },
  };
};
