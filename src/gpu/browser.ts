import { acquireContext, type GpuContext } from './context';

/** Acquire a device in a page or a dedicated worker (both expose navigator.gpu). */
export function acquireBrowserContext(): Promise<GpuContext> {
  const host = typeof window === 'undefined' ? 'worker' : 'window';
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  return acquireContext(gpu, host);
}
