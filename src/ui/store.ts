import { create } from 'zustand';
import type { AdapterSummary } from '../gpu/adapter-info';
import type { SelfTestResult } from '../kernels/selftest';
import { EngineClient } from '../worker/client';

export type EngineStatus =
  | { kind: 'starting' }
  | { kind: 'ready'; adapter: AdapterSummary; hasTimestamps: boolean }
  | { kind: 'unavailable'; reason: string; advice: string }
  | { kind: 'failed'; message: string };

interface AppState {
  engine: EngineStatus;
  selfTest: SelfTestResult | undefined;
  /** Asynchronous problems (device lost, validation errors) shown as a dismissible banner. */
  notices: { id: number; text: string }[];
  start(): Promise<void>;
  dismissNotice(id: number): void;
}

let client: EngineClient | undefined;
let nextNoticeId = 1;

/** The engine worker, created on first use. */
export function engineClient(): EngineClient {
  client ??= new EngineClient();
  return client;
}

export const useApp = create<AppState>((set, get) => ({
  engine: { kind: 'starting' },
  selfTest: undefined,
  notices: [],
  async start() {
    const notify = (text: string) => set({ notices: [...get().notices, { id: nextNoticeId++, text }] });
    if (!('gpu' in navigator)) {
      set({
        engine: {
          kind: 'unavailable',
          reason: 'This browser does not expose WebGPU (navigator.gpu is missing).',
          advice: WEBGPU_ADVICE,
        },
      });
      return;
    }
    const engine = engineClient();
    engine.onEvent((ev) => {
      if (ev.type === 'device-lost') notify(`GPU device lost: ${ev.message}`);
      if (ev.type === 'gpu-error') notify(`${ev.kind}: ${ev.message}`);
    });
    try {
      const ev = await engine.request({ type: 'init' });
      if (ev.type === 'unavailable') {
        set({ engine: { kind: 'unavailable', reason: ev.reason, advice: ev.advice } });
        return;
      }
      if (ev.type !== 'ready')
        throw new Error(ev.type === 'error' ? ev.message : `unexpected reply ${ev.type}`);
      set({ engine: { kind: 'ready', adapter: ev.adapter, hasTimestamps: ev.hasTimestamps } });
      const st = await engine.request({ type: 'selftest' });
      if (st.type === 'selftest') set({ selfTest: st.result });
      else if (st.type === 'error') notify(`Kernel self-test failed: ${st.message}`);
    } catch (e) {
      set({ engine: { kind: 'failed', message: (e as Error).message } });
    }
  },
  dismissNotice(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
}));

// Kept here (not imported from gpu/context) so the main bundle does not pull engine code.
const WEBGPU_ADVICE =
  'Use a browser with WebGPU: Chrome or Edge 113+ on Windows, macOS or ChromeOS, Chrome 121+ on ' +
  'Android, Safari 26+, or Firefox 141+ on Windows. On Linux start Chrome/Chromium with ' +
  '--enable-unsafe-webgpu (and --enable-features=Vulkan), or enable chrome://flags/#enable-unsafe-webgpu.';
