import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { acquireNodeContext } from '../../gpu/node';
import { kProblem } from '../../kernels/knn-limits';
import { type PartSegConfig, partSegParamSpecs } from '../../nn/dgcnn-partseg-config';
import { initialiseParams } from '../../nn/param-spec';
import { loadPartSegWeights } from '../../nn/partseg-weights';
import { WeightsError } from '../../nn/weights';
import { PARTSEG_OPTIMIZERS, type PartsegOptimizerName } from '../../train/partseg-optimizer';
import { PARTSEG_SIZE_NAMES, type PartsegSizeName, partsegSize } from '../../train/partseg-sizes';
import {
  type PartsegEpochLog,
  type PartsegRunConfig,
  PartsegTrainer,
  readPartsegCheckpointInfo,
} from '../../train/partseg-trainer';
import { defineCommand } from '../command';
import { asInputError } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';
import { required } from '../npy-inputs';
import { readPartsegInput } from '../partseg-input';

const DATA_HELP =
  'a ShapeNetPart .h5 (data, label, pid), a folder of them or in the text layout, or "sample"';

/** One JSON line of the --log file. */
export function epochRecord(e: PartsegEpochLog): Record<string, number> {
  const r: Record<string, number> = {
    epoch: e.epoch,
    step: e.step,
    lr: e.lr,
    train_loss: e.train.loss,
    train_accuracy: e.train.accuracy,
    train_instance_miou: e.train.instanceMiou,
    train_class_miou: e.train.classMiou,
    train_seconds: e.trainSeconds,
  };
  if (e.test) {
    Object.assign(r, {
      test_loss: e.test.loss,
      test_accuracy: e.test.accuracy,
      test_instance_miou: e.test.instanceMiou,
      test_class_miou: e.test.classMiou,
      test_seconds: e.testSeconds ?? 0,
    });
  }
  return r;
}

export const partseg = defineCommand({
  name: 'partseg',
  summary:
    'part segmentation: fine-tune DGCNN_partseg as train_partseg.py (smoothed CE, SGD + cosine), mIoU per epoch',
  flags: {
    train: { type: 'string', help: `train split: ${DATA_HELP} (folders: the *train*/*val* files or lists)` },
    test: { type: 'string', help: `test split: ${DATA_HELP} (folders: the *test* files or list)` },
    weights: {
      type: 'string',
      help: 'start from these weights: part-segmentation weights, or a dgcnn_seg pretraining checkpoint (the head starts fresh, as load_state_dict(strict=False); the missing tensors are listed)',
    },
    resume: { type: 'string', help: 'continue the run saved in this checkpoint (an earlier --out)' },
    epochs: { type: 'int', default: 200, min: 1, help: 'epochs of the cosine schedule (the reference: 200)' },
    batch: { type: 'int', default: 32, min: 2, help: 'clouds per step (the reference: 32)' },
    k: { type: 'int', default: 40, min: 1, help: 'neighbours per point (the reference: 40)' },
    points: { type: 'int', default: 2048, min: 1, help: 'points per cloud (the reference: 2048)' },
    seed: {
      type: 'int',
      default: 1,
      min: 0,
      help: 'seed of fresh weights, batch order, augmentation, dropout',
    },
    optimizer: {
      type: 'string',
      default: 'sgd',
      choices: PARTSEG_OPTIMIZERS,
      help: 'sgd (lr 0.1, momentum 0.9) or adam (lr 1e-3); weight decay 1e-4, cosine to 1e-3',
    },
    size: {
      type: 'string',
      default: 'reference',
      choices: PARTSEG_SIZE_NAMES,
      help: 'model widths for fresh weights (--weights and --resume bring their own)',
    },
    'bn-momentum': {
      type: 'number',
      default: 0.1,
      help: "momentum of BatchNorm's running statistics, which the test split is evaluated with (PyTorch's 0.1); the Parts panel's first-look size uses 0.5",
    },
    'no-augment': { type: 'boolean', help: 'no scale/shift augmentation (point order is still shuffled)' },
    'per-class': {
      type: 'int',
      default: 16,
      min: 2,
      help: 'objects per category of the generated sample set',
    },
    out: { type: 'string', help: 'checkpoint to write after every epoch (.safetensors)' },
    log: { type: 'string', help: 'append one JSON line of metrics per epoch to this file' },
  },
  async run({ flags }, io) {
    required(flags, 'train', 'test', 'out');
    if (flags.resume && flags.weights) throw new UsageError('--resume and --weights exclude each other');
    // A resumed run keeps its own sizes (points, k, batch, widths, optimiser, seed).
    const resumed = flags.resume ? readResumeInfo(flags.resume) : undefined;
    const points = resumed?.run.points ?? flags.points!;
    const kWhy = kProblem(resumed?.run.model.k ?? flags.k!, points);
    if (kWhy) throw new InputError(`--k: ${kWhy} (lower --k or raise --points)`);
    const o = { points, seed: resumed?.run.seed ?? flags.seed!, perClass: flags['per-class']! };
    const train = await readPartsegInput(flags.train!, 'train', 'train', o);
    const test = await readPartsegInput(flags.test!, 'test', 'test', o);
    for (const note of [...train.notes, ...test.notes].slice(0, 5)) io.err(`note: ${note}\n`);

    let config: PartsegRunConfig = {
      model: partsegSize(flags.size as PartsegSizeName, flags.k!),
      batch: flags.batch!,
      points,
      epochs: flags.epochs!,
      seed: flags.seed!,
      optimizer: flags.optimizer as PartsegOptimizerName,
      augment: !flags['no-augment'],
      bnMomentum: flags['bn-momentum']!,
    };
    if (!(config.bnMomentum! > 0 && config.bnMomentum! <= 1))
      throw new InputError(
        `--bn-momentum: ${flags['bn-momentum']} is not in (0, 1] (PyTorch's default is 0.1)`,
      );
    let resumeBytes: Uint8Array | undefined;
    let values = initialiseParams(partSegParamSpecs(config.model, 'segment'), config.seed);
    let source = `fresh weights (seed ${config.seed}, size ${flags.size})`;
    const readWeights = (path: string, flag: string, expect?: PartSegConfig) => {
      if (!existsSync(path)) throw new InputError(`--${flag}: no file at ${path}`);
      const bytes = new Uint8Array(readFileSync(path));
      try {
        // A resumed run must fit exactly; starting weights load like load_state_dict(strict=False).
        const strict = flag === 'resume';
        return {
          bytes,
          w: loadPartSegWeights(bytes, { mode: 'segment', k: flags.k, expect, strict, seed: config.seed }),
        };
      } catch (e) {
        if (e instanceof WeightsError) throw new InputError(`--${flag} ${path}: ${e.message}`);
        throw e;
      }
    };
    if (flags.resume) {
      if (!existsSync(flags.resume)) throw new InputError(`--resume: no file at ${flags.resume}`);
      const info = readPartsegCheckpointInfo(new Uint8Array(readFileSync(flags.resume)));
      if (!info.run)
        throw new InputError(`--resume ${flags.resume}: not a partseg checkpoint (no run metadata)`);
      const { bytes, w } = readWeights(flags.resume, 'resume', info.run.model);
      config = { ...info.run, epochs: flags.epochs! };
      values = w.values;
      resumeBytes = bytes;
      source = `${flags.resume} (epoch ${info.epoch})`;
    } else if (flags.weights) {
      const { w } = readWeights(flags.weights, 'weights');
      config = { ...config, model: { ...w.config, k: flags.k! } };
      values = w.values;
      source = `${flags.weights}`;
      if (w.missing.length) {
        io.err(
          `--weights: ${w.missing.length} tensors not in the file start fresh: ${summariseNames(w.missing)}\n`,
        );
      }
      if (w.unexpected.length)
        io.err(`--weights: ignored ${w.unexpected.length} tensors: ${summariseNames(w.unexpected)}\n`);
    }
    if (flags.log && !flags.resume) writeFileSync(flags.log, '');
    const ctx = await acquireNodeContext();
    let trainer: PartsegTrainer | undefined;
    try {
      trainer = await asInputError(() => PartsegTrainer.create(ctx, config, train, values));
      if (resumeBytes) trainer.restore(resumeBytes);
      io.err(
        `partseg on ${train.source}: ${train.S} train / ${test.S} test clouds of ${points} points, ` +
          `batch ${trainer.batch}, ${trainer.stepsPerEpoch} steps per epoch, k ${config.model.k}, ${config.optimizer}, from ${source}\n`,
      );
      if (trainer.stepsPerEpoch < 1)
        throw new InputError(`--train: ${train.S} clouds make no full batch of ${trainer.batch}`);
      while (trainer.epoch < config.epochs) {
        const e = await trainer.runEpoch(test);
        const rec = epochRecord(e);
        if (flags.log) appendFileSync(flags.log, `${JSON.stringify(rec)}\n`);
        io.out(
          `epoch ${e.epoch}/${config.epochs} lr ${e.lr.toPrecision(3)}  train loss ${e.train.loss.toFixed(4)} ` +
            `acc ${e.train.accuracy.toFixed(4)} mIoU ${e.train.instanceMiou.toFixed(4)}  ` +
            `test loss ${e.test!.loss.toFixed(4)} acc ${e.test!.accuracy.toFixed(4)} ` +
            `mIoU ${e.test!.instanceMiou.toFixed(4)} (class ${e.test!.classMiou.toFixed(4)})  ${e.trainSeconds.toFixed(1)} s\n`,
        );
        writeFileSync(flags.out!, await trainer.checkpoint());
      }
      io.err(`wrote ${flags.out} at epoch ${trainer.epoch}\n`);
      return 0;
    } finally {
      trainer?.destroy();
      ctx.destroy();
    }
  },
});

function readResumeInfo(path: string) {
  if (!existsSync(path)) throw new InputError(`--resume: no file at ${path}`);
  let info: ReturnType<typeof readPartsegCheckpointInfo>;
  try {
    info = readPartsegCheckpointInfo(new Uint8Array(readFileSync(path)));
  } catch (e) {
    throw new InputError(`--resume ${path}: not a readable checkpoint (${(e as Error).message})`);
  }
  if (!info.run) throw new InputError(`--resume ${path}: not a partseg checkpoint (no run metadata)`);
  return { run: info.run, epoch: info.epoch };
}

function summariseNames(names: string[]): string {
  return names.length <= 6
    ? names.join(', ')
    : `${names.slice(0, 6).join(', ')}, … (${names.length - 6} more)`;
}
