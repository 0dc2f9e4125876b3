import { BufferArena } from '../src/gpu/arena';
import { writeBuffer } from '../src/gpu/buffers';
import type { GpuContext } from '../src/gpu/context';
import { formatBytes } from '../src/gpu/errors';
import { GpuTimer, medianTime } from '../src/gpu/timer';
import { createDgcnn } from '../src/nn/dgcnn';
import { freshWeights } from '../src/nn/weights';
import { PRESETS, type PresetName } from '../src/train/presets';
import { Rng } from '../src/util/random';
import type { BenchReport } from './report';

/** One case in the bench harness's shape (bench/report.ts BenchCase: section, name, figures, ratios). */
export type EncoderCase = {
  section: string;
  name: string;
  figures: Record<string, number | string>;
  ratios: Record<string, number>;
};

export interface EncoderBenchOptions {
  /** Presets to run (default tiny and small). */
  presets?: PresetName[];
  /** Timed runs per figure (median), after one warm-up. */
  runs?: number;
}

/**
 * The DGCNN encoder at a preset's sizes, as a training step runs it: 2·batch clouds (both
 * augmented views). Figures: clouds per second of the eval-mode forward, and milliseconds of a
 * training-mode forward plus the full backward (every parameter gradient), with the arena's bytes.
 */
export async function encoderSection(
  ctx: GpuContext,
  report: (c: EncoderCase) => void,
  opts: EncoderBenchOptions = {},
): Promise<void> {
  const runs = opts.runs ?? 5;
  for (const name of opts.presets ?? (['tiny', 'small'] as PresetName[])) {
    const preset = PRESETS[name];
    const clouds = 2 * preset.batch;
    const N = preset.points;
    const arena = new BufferArena(ctx, 'the preset');
    const timer = new GpuTimer(ctx);
    try {
      const enc = await createDgcnn(ctx, arena, preset.dgcnn, { batch: clouds, points: N });
      enc.params.upload(freshWeights({ kind: 'dgcnn', config: preset.dgcnn }, 1));
      writeBuffer(ctx, enc.input, new Rng(2).normalArray(clouds * 3 * N, 0.5));
      writeBuffer(ctx, enc.dProjections!, new Rng(3).uniformArray(clouds * preset.dgcnn.proj));
      const fwd = await medianTime(timer, (e) => enc.encodeForward(e, 'eval'), runs, 1);
      const step = await medianTime(
        timer,
        (e) => {
          enc.encodeForward(e, 'train');
          enc.encodeBackward(e);
        },
        runs,
        1,
      );
      report({
        section: 'encoder',
        name: `DGCNN ${name}: ${clouds} clouds × ${N} points, k ${preset.dgcnn.k}, emb ${preset.dgcnn.emb}`,
        figures: {
          'forward clouds/s': clouds / (fwd.ms / 1000),
          'forward ms': fwd.ms,
          'fwd+bwd ms': step.ms,
          arena: formatBytes(arena.totalBytes),
          timing: fwd.method,
        },
        ratios: { 'fwd+bwd / fwd': step.ms / fwd.ms },
      });
      enc.destroy();
    } finally {
      timer.destroy();
      arena.destroy();
    }
  }
}

/** The `encoder` suite (`npm run bench -- encoder`): tiny and small, or tiny alone with --quick. */
export async function encoderBench(ctx: GpuContext, report: BenchReport): Promise<void> {
  const presets: PresetName[] = report.options.quick ? ['tiny'] : ['tiny', 'small'];
  await encoderSection(ctx, (c) => report.add(c), { presets, runs: report.options.quick ? 1 : 5 });
}
