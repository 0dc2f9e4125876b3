import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFolderIndex } from '../../data/folder-files.node';
import { fileCacheOpener } from '../../data/object-cache-file.node';
import { generateSampleSet } from '../../data/sample-set';
import { SAMPLE_VARIATIONS, type SampleVariation } from '../../data/shape-variation';
import { cosineSimilarityMatrix, retrievalAccuracy } from '../../eval/similarity';
import { diagonalSummary } from '../../eval/similarity-summary';
import { acquireNodeContext } from '../../gpu/node';
import { getPreset, type Preset, PRESET_NAMES, type PresetName, PRESETS } from '../../train/presets';
import { TrainingSession } from '../../train/session';
import { checkpointSettings } from '../../train/checkpoint';
import { epochsReaching, stepsPerEpoch } from '../../train/schedule';
import { checkTrainConfig, resolveConfig } from '../../train/train-config';
import { trainingDataFromSampleSet } from '../../train/training-data';
import { streamReason, trainingDataFromFolder } from '../../train/training-data-folder';
import type { StepMetrics, TrainConfig } from '../../train/trainer-api';
import type { TrainingData } from '../../train/training-data';
import type { TrainingSession as Session } from '../../train/session';
import { defineCommand } from '../command';
import { asInputError } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';

/** Each preset's own value of a setting, for --help: "first-look 40, tiny 100, small 100, paper 100". */
export function presetDefaults(value: (p: Preset) => number): string {
  return PRESET_NAMES.map((n) => `${n} ${value(PRESETS[n])}`).join(', ');
}

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
    model: {
      type: 'string',
      default: 'dgcnn',
      choices: ['dgcnn', 'dgcnn_seg'],
      help: "the point encoder: DGCNN (classification) or dgcnn_seg (DGCNN_partseg's encoder, to fine-tune part segmentation from)",
    },
    steps: {
      type: 'int',
      min: 1,
      help: 'train this many steps (default: all epochs); without --epochs the cosine schedule ends with them',
    },
    epochs: {
      type: 'int',
      min: 1,
      help: `epochs of the cosine schedule (default: the preset's: ${presetDefaults((p) => p.epochs)})`,
    },
    seed: { type: 'int', default: 1, min: 0, help: 'seed of weights, batches and augmentations' },
    data: {
      type: 'string',
      default: 'sample',
      help: '"sample" (generated), a folder in CrossPoint\'s layout (what `crosspoint sample` writes) or a folder of meshes (ShapeNetCore .obj, ModelNet .off)',
    },
    'per-class': { type: 'int', default: 16, min: 2, help: 'objects per class of the generated sample set' },
    variation: {
      type: 'string',
      default: 'standard',
      choices: SAMPLE_VARIATIONS,
      help: '--data sample: hard stretches and turns every object at random (crosspoint sample --variation)',
    },
    views: { type: 'int', default: 4, min: 1, help: 'rendered views per object' },
    'data-budget': {
      type: 'number',
      min: 0,
      help: "bytes a folder's clouds and views may take on the GPU (default: the tab's 4 GiB); a set over it streams with --stream-cache, else is refused",
    },
    'stream-cache': {
      type: 'string',
      help: "folder for the disk cache a folder over --data-budget (or the adapter's limits) streams its batches from (deleted at the end)",
    },
    batch: {
      type: 'int',
      min: 2,
      help: `objects per step (default: the preset's: ${presetDefaults((p) => p.batch)})`,
    },
    lr: {
      type: 'number',
      help: `Adam's base learning rate, cosine-annealed over the epochs (default: the preset's: ${presetDefaults((p) => p.lr)})`,
    },
    k: {
      type: 'int',
      help: `neighbours per point in the DGCNN (default: the preset's: ${presetDefaults((p) => p.dgcnn.k)})`,
    },
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
    'eval-every': {
      type: 'int',
      min: 0,
      help:
        'log the cross-modal similarity summary (sim_diag, sim_off) before training, every this many ' +
        'steps and at the end (default: once per epoch; 0 = never)',
    },
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
      ...(flags.model === 'dgcnn_seg' ? { encoder: 'dgcnn_seg' as const } : {}),
    };
    // The same check as the page's form and the trainer: exit 2 naming each bad setting.
    checkTrainConfig(config);
    const resumeBytes = flags.resume ? new Uint8Array(readFileSync(flags.resume)) : undefined;
    // --steps without --epochs: the cosine schedule spans the epochs this run reaches (so the lr
    // anneals over the run asked for, not over the preset's epochs), known once the data is.
    const startStep = resumeBytes ? (checkpointSettings(resumeBytes)?.step ?? 0) : 0;
    const runConfig = (d: TrainingData): TrainConfig =>
      flags.steps !== undefined && flags.epochs === undefined
        ? {
            ...config,
            epochs: epochsReaching(
              startStep + flags.steps,
              stepsPerEpoch(d.trainIndices.length, resolveConfig(config).batch),
            ),
          }
        : config;
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
                variation: flags.variation as SampleVariation,
              });
              return trainingDataFromSampleSet(ctx, set);
            }
            const index = await readFolderIndex(data);
            const lower = '--views or the folder';
            const folder = await trainingDataFromFolder(ctx, index, {
              points: preset.points,
              views: flags.views!,
              imageSize: preset.imageSize,
              seed: flags.seed!,
              lower,
              ...(flags['data-budget'] !== undefined ? { budget: flags['data-budget'] } : {}),
              ...(flags['stream-cache']
                ? { streamCache: fileCacheOpener(flags['stream-cache'], lower) }
                : {}),
            });
            const r = folder.report;
            io.err(`read ${r.loaded} of ${r.picked} objects of ${data} (${r.layout} layout)\n`);
            if (r.stream)
              io.err(
                `streaming from ${r.stream.where} in ${flags['stream-cache']}: the set takes ${streamReason(r.stream)}; ` +
                  `reading an object back takes ${r.stream.readMsPerObject?.toFixed(3)} ms\n`,
              );
            for (const p of [...r.skipped, ...r.warnings]) io.err(`  ${p.file}: ${p.problem}\n`);
            return folder;
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
        runConfig,
      ),
    );
    let total = session.trainer.totalSteps;
    try {
      if (resumeBytes) await session.load(resumeBytes);
      const first = session.step;
      const until = flags.steps ? session.step + flags.steps : session.trainer.totalSteps;
      total = until;
      io.err(
        `pretraining ${config.preset} on ${session.trainer.data.summary.name}: ` +
          `${session.trainer.data.trainIndices.length} train objects, batch ${session.trainer.resolved.batch}, ` +
          `${session.trainer.stepsPerEpoch} steps per epoch, GPU buffers ${(session.trainer.gpuBytes / 2 ** 20).toFixed(1)} MiB\n`,
      );
      const evalEvery = flags['eval-every'] ?? session.trainer.stepsPerEpoch;
      const evaluate = async () => {
        if (evalEvery === 0) return;
        const e = await similaritySummary(session);
        session.recordEval({ simDiag: e.sim_diag, simOff: e.sim_off }); // kept in the checkpoint's history
        if (flags.log) appendFileSync(flags.log, `${JSON.stringify(e)}\n`);
        io.out(
          `eval step ${e.step}: sim_diag ${e.sim_diag.toFixed(4)}  sim_off ${e.sim_off.toFixed(4)}  ` +
            `retrieval p→i ${e.retrieval_p2i.toFixed(3)} i→p ${e.retrieval_i2p.toFixed(3)} (${e.eval_objects} objects)\n`,
        );
      };
      await evaluate();
      while (session.step < until) {
        const next =
          evalEvery > 0 ? Math.min(until, (Math.floor(session.step / evalEvery) + 1) * evalEvery) : until;
        await session.run(next);
        if (session.step < next) break; // a fault stopped training (already reported)
        await evaluate();
      }
      const reads = session.trainer.streamReads;
      const ran = session.step - first;
      if (reads && ran > 0)
        io.err(
          `streamed ${ran} steps: read ${reads.clouds} clouds and ${reads.views} views from the cache in ` +
            `${reads.readMs.toFixed(1)} ms (${(reads.readMs / ran).toFixed(2)} ms a step), of which the steps waited ` +
            `${(reads.waitMs / ran).toFixed(2)} ms a step; ${reads.prefetchHits} batches prefetched, ${reads.prefetchMisses} read again\n`,
        );
      writeFileSync(flags.out, await session.checkpoint());
      io.err(`wrote ${flags.out} at step ${session.step}\n`);
      return session.step >= until ? 0 : 1;
    } finally {
      session.dispose();
    }
  },
});

/** Objects in the similarity summary at most (an even spread over the set beyond that). */
const EVAL_OBJECTS = 128;

/**
 * The cross-modal similarity matrix of the set's objects (eval-mode point projections against
 * each object's first view) summarised as the mean diagonal and off-diagonal cosine: learning
 * shows as the diagonal rising above the rest.
 */
async function similaritySummary(session: Session) {
  const t = session.trainer;
  const all = [...t.data.trainIndices, ...t.data.testIndices].sort((a, b) => a - b);
  const n = Math.min(EVAL_OBJECTS, all.length);
  const objects = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]!);
  const set = await t.embed(objects);
  const sim = cosineSimilarityMatrix(set.point, set.image, n, set.dim);
  const { diag, off } = diagonalSummary(sim, n);
  const r = retrievalAccuracy(sim, n);
  return {
    step: t.step,
    sim_diag: diag,
    sim_off: off,
    retrieval_p2i: r.pointToImage,
    retrieval_i2p: r.imageToPoint,
    eval_objects: n,
  };
}

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
