import type { GpuContext } from '../../src/gpu/context';
import type { Runner } from './contender';

/** Our engine as a Runner: records `encode` into one command buffer, resolves when the queue is idle. */
export function oursRunner(
  ctx: GpuContext,
  encode: (enc: GPUCommandEncoder) => void,
  release: () => void = () => {},
): Runner {
  return {
    async run() {
      const enc = ctx.device.createCommandEncoder();
      encode(enc);
      ctx.device.queue.submit([enc.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
    },
    release,
  };
}
