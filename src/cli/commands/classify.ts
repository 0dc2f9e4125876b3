import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readFolderIndex } from '../../data/folder-files.node';
import { readUserClouds } from '../../data/loaders/read-shape';
import { generateSampleSet } from '../../data/sample-set';
import { ModelAnalyses } from '../../eval/model-analyses';
import { OOD_FALSE_ALARM, type OodReference } from '../../eval/set-classifier';
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

/** Labelled clouds of `--reference` (only the classes `--reference-classes` names), read like the FILEs. */
interface ReferenceClouds {
  path: string;
  clouds: { points: Float32Array; label: number }[];
  classes: string[];
}

/** Reads `path` and keeps the classes in `only` (comma-separated names or numbers); fails before any set-up. */
async function readReference(
  path: string,
  only: string | undefined,
  points: number,
  up: 'y' | 'z',
): Promise<ReferenceClouds> {
  const clouds = await readUserClouds(basename(path), readBytes(path, 'reference'), points, up);
  const unlabelled = clouds.findIndex((c) => c.label === undefined);
  if (unlabelled >= 0)
    throw new InputError(
      `--reference "${path}": cloud ${unlabelled} has no label; the reference must be a labelled set (an .h5 with \`data\` and \`label\`)`,
    );
  const maxLabel = Math.max(...clouds.map((c) => c.label!));
  const names = classNamesBeside(path, maxLabel) ?? [];
  const classes = Array.from({ length: maxLabel + 1 }, (_, l) => names[l] ?? String(l));
  let keep = clouds;
  if (only !== undefined) {
    const labels = new Set<number>();
    for (const w of only
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const l = /^\d+$/.test(w) ? Number(w) : classes.indexOf(w);
      if (l < 0 || !clouds.some((c) => c.label === l)) {
        const has = [...new Set(clouds.map((c) => classes[c.label!]!))].join(', ');
        throw new InputError(`--reference-classes: "${w}" is not a class of ${path} (it has ${has})`);
      }
      labels.add(l);
    }
    keep = clouds.filter((c) => labels.has(c.label!));
  }
  if (keep.length < 2)
    throw new InputError(`--reference "${path}": needs at least 2 shapes, has ${keep.length}`);
  return { path, clouds: keep.map((c) => ({ points: c.points, label: c.label! })), classes };
}

/** The reference's features under this model: what the OOD threshold is calibrated on. */
async function referenceShapes(ref: ReferenceClouds, t: TrainingSession['trainer']): Promise<OodReference> {
  const F = t.point.featureWidth;
  const features = new Float32Array(ref.clouds.length * F); // [n, F]
  for (const [i, c] of ref.clouds.entries()) features.set(await t.cloudFeatures(c.points), i * F);
  const used = new Set(ref.clouds.map((c) => c.label));
  return {
    name: `${basename(ref.path)}: ${ref.clouds.length} shapes of ${used.size} classes`,
    generated: false,
    isSet: false,
    features,
    labels: Int32Array.from(ref.clouds, (c) => c.label),
    classes: ref.classes,
  };
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
    reference: {
      type: 'string',
      help:
        'calibrate the out-of-distribution threshold on these labelled shapes instead of the set ' +
        "(an .h5 of clouds with labels, e.g. ModelNet40's ply_data_train0.h5): what counts as in distribution",
    },
    'reference-classes': {
      type: 'string',
      help: 'with --reference: only these classes of it (comma-separated names or label numbers)',
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
    if (flags['reference-classes'] !== undefined && flags.reference === undefined)
      throw new UsageError('--reference-classes needs --reference');
    for (const f of positionals) readBytes(f, 'FILE'); // a missing file fails before minutes of set-up
    const config: TrainConfig = flags.weights
      ? checkpointConfig(flags.weights)
      : { preset: (flags.preset ?? 'first-look') as PresetName, seed: flags.seed ?? 1 };
    const preset = getPreset(config.preset);
    const reference =
      flags.reference === undefined
        ? undefined
        : await readReference(
            flags.reference,
            flags['reference-classes'],
            preset.points,
            flags.up as 'y' | 'z',
          );
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
        setName: t.data.summary.name,
        generated: setDir === 'sample',
      });
      if (reference) analyses.setOodReference(await referenceShapes(reference, t));
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
              leftOut: p.ood.leftOut,
              thresholdFrom: p.ood.thresholdMeaning,
              reference: p.ood.reference.name,
              meaning: p.ood.meaning,
              ...(p.ood.caveat ? { caveat: p.ood.caveat } : {}),
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
              oodReference: flags.reference ?? 'the set',
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
