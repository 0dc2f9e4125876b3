import { SUITES } from '../../../bench/index';
import { BenchReport } from '../../../bench/report';
import { acquireNodeContext } from '../../gpu/node';
import { adapterName } from '../../gpu/adapter-info';
import { defineCommand } from '../command';
import { UsageError } from '../errors';

export const bench = defineCommand({
  name: 'bench',
  summary: 'run a benchmark suite: one JSON object per case on stdout, a table on stderr',
  positionals: `[SUITE: ${Object.keys(SUITES).join('|')}]`,
  maxPositionals: 1,
  flags: {
    quick: {
      type: 'boolean',
      help: 'small cases of every kernel and fewer runs (under a minute on SwiftShader)',
    },
    'max-size': { type: 'int', min: 1, default: 2048, help: 'largest matrix side or point count' },
    skip: {
      type: 'string',
      help: 'comparison runtimes to leave out, comma-separated: ort-webgpu,ort-wasm,tfjs-webgpu',
    },
  },
  async run({ flags, positionals }, io) {
    const name = positionals[0] ?? 'compare';
    const suite = SUITES[name];
    if (!suite) throw new UsageError(`unknown suite "${name}" (suites: ${Object.keys(SUITES).join(', ')})`);
    const ctx = await acquireNodeContext();
    try {
      const report = new BenchReport(io, {
        quick: flags.quick ?? false,
        maxSize: flags['max-size'] ?? 2048,
        skip: flags.skip ? flags.skip.split(',').map((s) => s.trim()) : [],
      });
      report.note(
        `bench ${name} on ${adapterName(ctx.adapter)}${ctx.hasTimestamps ? ' (timestamp queries)' : ''}`,
      );
      await suite(ctx, report);
      io.err(`\n${report.table()}\n`);
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
