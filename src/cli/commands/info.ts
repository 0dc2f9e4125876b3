import { acquireNodeContext } from '../../gpu/node';
import { runSelfTest } from '../../kernels/selftest';
import { probeKernelVariants } from '../../kernels/variant-probe';
import { fileVariantCache, nodeRuntime, variantCacheFile } from '../variant-cache';
import { defineCommand } from '../command';

export const info = defineCommand({
  name: 'info',
  summary:
    'print the WebGPU adapter, its features and limits, and the kernel variants chosen for it, as JSON',
  flags: {
    check: { type: 'boolean', help: 'also run a kernel self-test on the device' },
    reprobe: { type: 'boolean', help: 'time the kernel variants again even if this adapter is cached' },
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
      // The variant probe, as every engine start runs it: cached per adapter, driver and runtime.
      const file = variantCacheFile();
      const probe = await probeKernelVariants(ctx, {
        cache: fileVariantCache(file),
        runtime: await nodeRuntime(),
        force: Boolean(flags.reprobe),
        onProgress: (line) => io.err(`${line}\n`),
      });
      report.kernelVariants = {
        matmul: probe.matmulName,
        conv2d: probe.conv2d,
        cached: probe.cached,
        probeMs: Math.round(probe.probeMs),
        method: probe.method,
        timings: probe.timings,
        cacheFile: file,
      };
      if (flags.check) report.selfTest = await runSelfTest(ctx);
      io.out(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
