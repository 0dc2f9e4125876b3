/// <reference lib="webworker" />
// The engine's home in the browser: owns the GPU device, answers requests from the page.
import { acquireBrowserContext } from '../gpu/browser';
import type { GpuContext } from '../gpu/context';
import { GpuUnavailableError } from '../gpu/errors';
import { runSelfTest } from '../kernels/selftest';
import { describeKernelChoice, probeKernelVariants } from '../kernels/variant-probe';
import type { EngineEvent, EngineRequest } from './protocol';
import { capabilities, Session } from './session';
import { indexedDbVariantCache } from './variant-cache';

const scope = self as unknown as DedicatedWorkerGlobalScope;
let ctx: GpuContext | undefined;
let session: Session | undefined;
let probedCtx: GpuContext | undefined;

function post(ev: EngineEvent, transfer: Transferable[] = []): void {
  scope.postMessage(ev, transfer);
}

async function handle(req: EngineRequest): Promise<void> {
  switch (req.type) {
    case 'init': {
      try {
        ctx ??= await acquireBrowserContext();
      } catch (e) {
        if (e instanceof GpuUnavailableError) {
          post({ id: req.id, type: 'unavailable', reason: e.message, advice: e.advice });
          return;
        }
        throw e;
      }
      const c = ctx;
      session ??= new Session(c, post);
      c.onError = (err) => post({ id: -1, type: 'gpu-error', kind: err.name, message: err.message });
      void c.lost.then((lost) => {
        if (ctx === c) {
          ctx = undefined;
          session = undefined;
        }
        post({ id: -1, type: 'device-lost', reason: lost.reason, message: lost.message });
      });
      post({
        id: req.id,
        type: 'ready',
        adapter: c.adapter,
        hasTimestamps: c.hasTimestamps,
        capabilities: capabilities(),
      });
      // Pick each op's kernel variant for this adapter (cached in IndexedDB per adapter and browser
      // version; a first visit times them, a few seconds). It runs after 'ready' so the page is not
      // held up; plans made before it ends use the defaults, which compute the same numbers.
      if (probedCtx !== c) {
        probedCtx = c;
        void probeKernelVariants(c, { cache: indexedDbVariantCache(), runtime: navigator.userAgent }).then(
          (r) => post({ id: -1, type: 'kernels', kernels: describeKernelChoice(r) }),
          (e: unknown) =>
            post({
              id: -1,
              type: 'kernels',
              kernels: `defaults (the probe failed: ${(e as Error).message})`,
            }),
        );
      }
      return;
    }
    case 'selftest': {
      if (!ctx) throw new Error('engine not initialised');
      post({ id: req.id, type: 'selftest', result: await runSelfTest(ctx, req.n, req.seed) });
      return;
    }
    default:
      if (!session) throw new Error('engine not initialised (or the GPU device was lost: reload the page)');
      await session.handle(req);
  }
}

scope.onmessage = (ev: MessageEvent<EngineRequest>) => {
  handle(ev.data).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ id: ev.data.id, type: 'error', kind: err.name, message: err.message });
  });
};
