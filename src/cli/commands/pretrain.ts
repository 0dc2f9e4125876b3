import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readShapeNetFolder } from '../../data/loaders/shapenet-folder.node';
import { generateSampleSet } from '../../data/sample-set';
import { acquireNodeContext } from '../../gpu/node';
import { getPreset, PRESET_NAMES, type PresetName } from '../../train/presets';
import { TrainingSession } from '../../train/session';
import { checkTrainConfig } from '../../train/train-config';
import { trainingDataFromSampleSet } from '../../train/training-data';
import { trainingDataFromFolder } from '../../train/training-data-folder';
import type { StepMetrics, TrainConfig } from '../../train/trainer-api';
import { defineCommand } from '../command';
import { asInputError } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';

export const pretrain = defineCommand({
  name: 'pretrain',
  summary: 'CrossPoint pretraining (L_imid + L_cmid) on the generated sample set or a ShapeNet-layout folder',
  flags: {
    preset: {
      type: 'string',
      default: 'tiny',
      choices: PRESET_NAMES,
      help: 'model and data sizes',
    },
    steps: { type: 'int', min: 1, help: 'train this many steps (default: all epochs)' },
    epochs: { type: 'int', min: 1, help: 'epochs of the cosine schedule (default: the preset, 100)' },
    seed: { type: 'int', default: 1, min: 0, help: 'seed of weights, batches and augmentations' },
    data: {
      type: 'string',
      default: 'sample',
      help: '"sample" (generated) or a folder in the ShapeNet layout',
    },
    'per-class': { type: 'int', default: 16, min: 2, help: 'objects per class of the generated sample set' },
    views: { type: 'int', default: 4, min: 1, help: 'rendered views per object' },
    batch: { type: 'int', min: 2, help: 'objects per step (default: the preset)' },
    lr: { type: 'number', help: 'Adam learning rate (default 1e-3)' },
    k: { type: 'int', help: 'neighbours per point in the DGCNN (default: the preset)' },
    losses: {
      type: 'string',
      default: 'both',
      choices: ['both', 'imid', 'cmid'],
      help: 'which terms to train',
    },
    resume: { type: 'string', help: 'continue from this checkpoint' },
    out: { type: 'string', help: 'checkpoint file to write (.safetensors)' },
    log: { type: 'string', help: 'append one JSON line of metrics per step to this file' },
    'checkpoint-every': { type: 'int', default: 0, min: 0, help: 'also write --out every this many steps' },
    every: { type: 'int', default: 1, min: 1, help: 'print a progress line every this many steps' },
  },
  async run({ flags }, io) {
    if (!flags.out) throw new UsageError('--out is required (the checkpoint to write)');
    if (flags.resume && !existsSync(flags.resume)) throw new InputError(`no checkpoint at ${flags.resume}`);
    const preset = getPreset(flags.preset!);
    const config: TrainConfig = {
      preset: flags.preset as PresetName,
      seed: flags.seed!,
      epochs: flags.epochs,
      batch: flags.batch,
      lr: flags.lr,
      k: flags.k,
      losses: { imid: flags.losses !== 'cmid', cmid: flags.losses !== 'imid' },
      checkpointEvery: flags['checkpoint-every'],
    };
    // The same check as the page's form and the trainer: exit 2 naming each bad setting.
    checkTrainConfig(config);
    const data = flags.data!;
    if (data !== 'sample' && !existsSync(data)) throw new InputError(`no dataset folder at ${data}`);
    if (flags.log) writeFileSync(flags.log, '');
    // A config over the adapter's limits is the user's to change: one line, exit 2.
    const session = await asInputError(() =>
      TrainingSession.start(
        {
          acquire: acquireNodeContext,
          async loadData(ctx) {
            if (data === 'sample') {
              const set = generateSampleSet({
                perClass: flags['per-class']!,
                points: preset.points,
                views: flags.views!,
                imageSize: preset.imageSize,
                seed: flags.seed!,
              });
              return trainingDataFromSampleSet(ctx, set);
            }
            const index = await readShapeNetFolder(data);
            return trainingDataFromFolder(ctx, index, {
              points: preset.points,
              views: flags.views!,
              imageSize: preset.imageSize,
              seed: flags.seed!,
            });
          },
          onMetrics(m) {
            if (flags.log) appendFileSync(flags.log, `${JSON.stringify(m)}\n`);
            if (m.step % flags.every! === 0) io.out(`${progressLine(m, total)}\n`);
          },
          onFault(f) {
            io.err(`crosspoint pretrain: ${f.kind}: ${f.message}\n`);
          },
          onState() {},
          async persist(bytes) {
            writeFileSync(flags.out!, bytes);
          },
        },
        config,
      ),
    );
    let total = session.trainer.totalSteps;
    try {
      if (flags.resume) await session.load(new Uint8Array(readFileSync(flags.resume)));
      const until = flags.steps ? session.step + flags.steps : session.trainer.totalSteps;
      total = until;
      io.err(
        `pretraining ${config.preset} on ${session.trainer.data.summary.name}: ` +
          `${session.trainer.data.trainIndices.length} train objects, batch ${session.trainer.resolved.batch}, ` +
          `${session.trainer.stepsPerEpoch} steps per epoch, GPU buffers ${(session.trainer.gpuBytes / 2 ** 20).toFixed(1)} MiB\n`,
      );
      await session.run(until);
      writeFileSync(flags.out, await session.checkpoint());
      io.err(`wrote ${flags.out} at step ${session.step}\n`);
      return session.step >= until ? 0 : 1;
    } finally {
      session.dispose();
    }
  },
});

function progressLine(m: StepMetrics, total: number): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'off');
  // To the end of this run (--steps), at the latest step's speed.
  const etaSec = (Math.max(0, total - m.step) * m.stepMs) / 1000;
  const eta = etaSec < 90 ? `${etaSec.toFixed(0)}s` : `${(etaSec / 60).toFixed(1)}m`;
  return (
    `step ${m.step}/${total}  L ${m.loss.toFixed(4)}  (imid ${f(m.lImid)}, cmid ${f(m.lCmid)})  ` +
    `lr ${m.lr.toExponential(2)}  ${m.samplesPerSec.toFixed(2)} samples/s  ETA ${eta}`
  );
}
