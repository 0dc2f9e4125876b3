import { acquireNodeContext } from '../../gpu/node';
import { runSelfTest } from '../../kernels/selftest';
import { defineCommand } from '../command';

export const info = defineCommand({
  name: 'info',
  summary: 'print the WebGPU adapter, its features and limits as JSON',
  flags: {
    check: { type: 'boolean', help: 'also run a kernel self-test on the device' },
  },
  async run({ flags }, io) {
    const ctx = await acquireNodeContext();
    try {
      const report: Record<string, unknown> = {
        host: ctx.host,
        adapter: {
          vendor: ctx.adapter.vendor,
          architecture: ctx.adapter.architecture,
          device: ctx.adapter.device,
          description: ctx.adapter.description,
          isFallbackAdapter: ctx.adapter.isFallbackAdapter,
        },
        features: ctx.adapter.features,
        limits: ctx.limits,
        timestamps: ctx.hasTimestamps,
      };
      if (flags.check) report.selfTest = await runSelfTest(ctx);
      io.out(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
