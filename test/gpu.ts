import { afterAll, beforeAll } from 'vitest';
import type { GpuContext } from '../src/gpu/context';
import { acquireNodeContext } from '../src/gpu/node';

/**
 * One device per test file: call at the top level of a test file, then use `gpu()` inside tests.
 * Fails loudly (no silent skip) when no adapter is available.
 */
export function setupGpu(): () => GpuContext {
  let ctx: GpuContext | undefined;
  beforeAll(async () => {
    ctx = await acquireNodeContext();
    ctx.onError = (e) => {
      throw e;
    };
  });
  afterAll(() => ctx?.destroy());
  return () => {
    if (!ctx) throw new Error('GPU context not ready');
    return ctx;
  };
}
