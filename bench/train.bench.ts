import { generateSampleSet } from '../src/data/sample-set';
import { PassProfiler } from '../src/gpu/pass-profiler';
import { GpuTimer } from '../src/gpu/timer';
import { getPreset, type PresetName } from '../src/train/presets';
import { Trainer } from '../src/train/trainer';
import { trainingDataFromSampleSet } from '../src/train/training-data';
import type { BenchSuite } from './suite';

/**
 * One CrossPoint training step per preset, phase by phase (data, both forwards, objective, both
 * backwards, Adam), median of a few steps after one warm-up step. `--quick`: tiny only, 1 step.
 */
export const trainBench: BenchSuite = async (ctx, report) => {
  const presets: PresetName[] = report.options.quick ? ['tiny'] : ['tiny', 'small'];
  const runs = report.options.quick ? 1 : 3;
  const timer = new GpuTimer(ctx);
  for (const name of presets) {
    const p = getPreset(name);
    const perClass = Math.max(2, Math.ceil((p.batch * 1.25) / 13) + 1);
    const set = generateSampleSet({ perClass, points: p.points, views: 2, imageSize: p.imageSize, seed: 1 });
    const data = await trainingDataFromSampleSet(ctx, set);
    const t = await Trainer.create(ctx, { preset: name, seed: 1 }, data);
    report.note(`train ${name}: planned, ${(t.gpuBytes / 2 ** 20).toFixed(1)} MiB of GPU buffers`);
    await t.profileStep(timer); // warm-up
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) samples.push(await t.profileStep(timer));
    const figures: Record<string, number> = {};
    for (const phase of Object.keys(samples[0]!)) {
      const v = samples.map((s) => s[phase]!).sort((a, b) => a - b);
      figures[`${phase} ms`] = v[Math.floor(v.length / 2)]!;
    }
    const total = Object.values(figures).reduce((a, b) => a + b, 0);
    figures['step ms'] = total;
    figures['samples/s'] = (p.batch * 1000) / total;
    if (ctx.hasTimestamps) {
      // Where a whole step's GPU time goes, by pass label (top 12).
      const prof = new PassProfiler(ctx.device);
      prof.start();
      await t.trainStep();
      const byLabel = [...(await prof.stop()).entries()].sort((a, b) => b[1].ms - a[1].ms);
      prof.destroy();
      report.note(`train ${name}: slowest passes of one step:`);
      for (const [label, v] of byLabel.slice(0, 12)) {
        report.note(`  ${v.ms.toFixed(1).padStart(9)} ms  ${String(v.passes).padStart(4)}×  ${label}`);
      }
    }
    report.add({
      section: 'train-step',
      name: `${name} (batch ${p.batch}, ${p.points} points, ${p.imageSize}px)`,
      figures,
      ratios: {},
    });
    t.dispose();
    data.destroy();
  }
  timer.destroy();
};
