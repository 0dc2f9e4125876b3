import { writeSampleSet } from '../../data/sample-export';
import { generateSampleSet } from '../../data/sample-set';
import { SAMPLE_VARIATIONS, type SampleVariation } from '../../data/shape-variation';
import { acquireNodeContext } from '../../gpu/node';
import { defineCommand } from '../command';
import { UsageError } from '../errors';

export const sample = defineCommand({
  name: 'sample',
  summary: 'generate the procedural sample set (13 categories) with points, views and HDF5 splits',
  flags: {
    out: { type: 'string', help: 'output folder (required)' },
    'per-class': { type: 'int', default: 20, min: 1, help: 'objects per category' },
    'test-per-class': {
      type: 'int',
      min: 0,
      help: 'objects per category in test.h5 (default: 20 % of --per-class, at least 1)',
    },
    points: { type: 'int', default: 2048, min: 1, help: 'surface points per object' },
    views: { type: 'int', default: 24, min: 1, help: 'rendered views per object' },
    size: { type: 'int', default: 137, min: 1, help: 'view side in pixels' },
    seed: { type: 'int', default: 0, min: 0, help: 'random seed' },
    variation: {
      type: 'string',
      default: 'standard',
      choices: SAMPLE_VARIATIONS,
      help: 'hard: every object stretched along each axis and turned about the up axis at random',
    },
  },
  async run({ flags }, io) {
    if (!flags.out) throw new UsageError('--out is required');
    const tpc = flags['test-per-class'];
    if (tpc !== undefined && tpc >= flags['per-class']!)
      throw new UsageError(
        `--test-per-class ${tpc} leaves no train objects: give at most --per-class − 1 (${flags['per-class']! - 1})`,
      );
    const t0 = performance.now();
    const set = generateSampleSet({
      perClass: flags['per-class']!,
      points: flags.points!,
      views: flags.views!,
      imageSize: flags.size!,
      seed: flags.seed!,
      testPerClass: tpc,
      variation: flags.variation as SampleVariation,
    });
    const ctx = await acquireNodeContext();
    try {
      let last = 0;
      const summary = await writeSampleSet(ctx, set, flags.out, (done, total) => {
        const now = performance.now();
        if (now - last > 2000 || done === total) {
          last = now;
          io.err(`rendered ${done}/${total} objects\n`);
        }
      });
      io.out(
        `${JSON.stringify({ out: flags.out, ...summary, seconds: +((performance.now() - t0) / 1000).toFixed(2) })}\n`,
      );
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
