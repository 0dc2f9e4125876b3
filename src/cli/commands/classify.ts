import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readFolderIndex } from '../../data/folder-files.node';
import { readUserClouds } from '../../data/loaders/read-shape';
import { generateSampleSet } from '../../data/sample-set';
import { ModelAnalyses } from '../../eval/model-analyses';
import { OOD_FALSE_ALARM } from '../../eval/set-classifier';
import { acquireNodeContext } from '../../gpu/node';
import { readSafetensors } from '../../io/safetensors';
import { getPreset, PRESET_NAMES, type PresetName } from '../../train/presets';
import { TrainingSession } from '../../train/session';
import { trainingDataFromSampleSet } from '../../train/training-data';
import { trainingDataFromFolder } from '../../train/training-data-folder';
import type { TrainConfig } from '../../train/trainer-api';
import { readBytes } from '../cloud-input';
import { classNamesBeside } from '../dataset-input';
import { defineCommand } from '../command';
import { asInputError } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';

/** The page's sample set: objects per class and views per object of the Data panel's defaults. */
const PAGE_SAMPLE = { perClass: 8, views: 4 };

/** The training config a checkpoint was written with (its `config` metadata). */
function checkpointConfig(path: string): TrainConfig {
  const bytes = readBytes(path, 'weights');
  let md: Record<string, string>;
  try {
    md = readSafetensors(bytes).metadata;
  } catch (e) {
    throw new InputError(`--weights "${path}": not a readable checkpoint: ${(e as Error).message}`);
  }
  if (md.format !== 'crosspoint-playground/1' || !md.config) {
    throw new InputError(
      `--weights "${path}": not a training checkpoint of this app (a file from \`crosspoint pretrain --out\` ` +
        "or the page's Save checkpoint); the Classify judgement needs the whole run's model",
    );
  }
  return JSON.parse(md.config) as TrainConfig;
}

export const classify = defineCommand({
  name: 'classify',
  summary:
    "the Classify panel's answer for each file as JSON: label, top-5, nearest shapes, out-of-distribution verdict",
  positionals: 'FILE...',
  maxPositionals: 1000,
  flags: {
    weights: { type: 'string', help: 'a training checkpoint (pretrain --out, or saved from the page)' },
    set: {
      type: 'string',
      default: 'sample',
      help: '"sample" (the generated set the page trains on) or a folder in the ShapeNet layout',
    },
    'per-class': {
      type: 'int',
      default: PAGE_SAMPLE.perClass,
      min: 2,
      help: 'objects per class of the generated sample set (the page default)',
    },
    up: {
      type: 'string',
      default: 'y',
      choices: ['y', 'z'],
      help: 'up axis of the files (z: raw ModelNet, scanners)',
    },
    preset: {
      type: 'string',
      choices: PRESET_NAMES,
      help: 'without --weights: a fresh random-init model of this preset (default first-look)',
    },
    seed: {
      type: 'int',
      min: 0,
      help: 'without --weights: seed of the fresh model and of the sample set (default 1)',
    },
  },
  async run({ flags, positionals }, io) {
    if (!positionals.length) throw new UsageError('missing FILE (one or more shapes to classify)');
    if (flags.weights !== undefined && (flags.preset !== undefined || flags.seed !== undefined))
      throw new UsageError(
        '--preset and --seed make a fresh model; a checkpoint (--weights) carries its own',
      );
    const setDir = flags.set!;
    if (setDir !== 'sample' && !existsSync(setDir))
      throw new InputError(`--set: no dataset folder at ${setDir}`);
    for (const f of positionals) readBytes(f, 'FILE'); // a missing file fails before minutes of set-up
    const config: TrainConfig = flags.weights
      ? checkpointConfig(flags.weights)
      : { preset: (flags.preset ?? 'first-look') as PresetName, seed: flags.seed ?? 1 };
    const preset = getPreset(config.preset);
    const session = await asInputError(() =>
      TrainingSession.start(
        {
          acquire: acquireNodeContext,
          async loadData(ctx) {
            if (setDir === 'sample') {
              const set = generateSampleSet({
                perClass: flags['per-class']!,
                points: preset.points,
                views: PAGE_SAMPLE.views,
                imageSize: preset.imageSize,
                seed: config.seed,
              });
              return trainingDataFromSampleSet(ctx, set);
            }
            const index = await readFolderIndex(setDir);
            return trainingDataFromFolder(ctx, index, {
              points: preset.points,
              views: PAGE_SAMPLE.views,
              imageSize: preset.imageSize,
              seed: config.seed,
            });
          },
          onMetrics() {},
          onFault() {},
          onState() {},
        },
        config,
      ),
    );
    try {
      if (flags.weights) {
        try {
          await session.load(new Uint8Array(readFileSync(flags.weights)));
        } catch (e) {
          throw new InputError(
            `--weights "${flags.weights}": the checkpoint does not load: ${(e as Error).message}`,
          );
        }
      }
      const t = session.trainer;
      const split = new Set(t.data.testIndices);
      const objects = t.data.ids.map((id, i) => ({
        id,
        label: t.data.labels[i]!,
        split: split.has(i) ? ('test' as const) : ('train' as const),
      }));
      const analyses = new ModelAnalyses({
        schedule: (job) => job(),
        model: () => t,
        createRandom: () => Promise.reject(new Error('classify needs no random baseline')),
        training: () => false, // nothing trains here: the model is read directly
        snapshot: () => Promise.reject(new Error('classify reads the model while nothing trains')),
        pause: async () => {},
        objects,
        classes: t.data.summary.classes,
      });
      const quiet = () => {};
      const results = [];
      for (const file of positionals) {
        const clouds = await readUserClouds(
          basename(file),
          readBytes(file, 'FILE'),
          t.resolved.points,
          flags.up as 'y' | 'z',
        );
        const names = classNamesBeside(file, Math.max(0, ...clouds.map((c) => c.label ?? 0)));
        for (const [i, c] of clouds.entries()) {
          const p = await analyses.predict(c.points, quiet);
          results.push({
            file,
            ...(clouds.length > 1 || c.label !== undefined ? { cloud: i } : {}),
            ...(c.label !== undefined ? { fileLabel: names?.[c.label] ?? c.label } : {}),
            label: p.ood.outOfDistribution ? null : p.top[0]!.className,
            guess: p.top[0]!.className,
            top: p.top.map((x) => ({ class: x.className, score: +x.score.toFixed(4) })),
            scores: `${p.scoreMeaning} (0 to ${p.maxScore})`,
            nearest: p.nearest.map((n) => ({
              id: n.id,
              class: n.className,
              cosine: +n.similarity.toFixed(4),
            })),
            ood: {
              distance: +p.ood.distance.toFixed(4),
              threshold: +p.ood.threshold.toFixed(4),
              verdict: p.ood.outOfDistribution ? 'out-of-distribution' : 'in-distribution',
              nearestClass: p.ood.nearestClass,
              pValue: +p.ood.pValue.toFixed(4),
              falseAlarm: p.ood.falseAlarm,
              calibrationShapes: p.ood.calibrationShapes,
              meaning: p.ood.meaning,
            },
            notes: [...c.notes, ...c.warnings],
          });
        }
      }
      io.out(
        `${JSON.stringify(
          {
            model: {
              preset: config.preset,
              step: t.step,
              weights: flags.weights ?? `random init, seed ${config.seed}`,
            },
            set: {
              name: t.data.summary.name,
              objects: objects.length,
              classes: t.data.summary.classes.length,
              falseAlarm: OOD_FALSE_ALARM,
            },
            results,
          },
          null,
          2,
        )}\n`,
      );
      return 0;
    } finally {
      session.dispose();
    }
  },
});
