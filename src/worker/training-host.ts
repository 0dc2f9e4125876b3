/**
 * The worker as the host of a training session (src/train/session.ts): its device, the
 * sample set it owns, metrics and faults posted to the page, autosaves in IndexedDB, and the
 * gaps between steps where queued evaluation runs. Also the trainer's state as the page sees it.
 */
import { ModelAnalyses } from '../eval/model-analyses';
import { exportEncoderOnnx } from '../export/onnx/index';
import type { GpuContext } from '../gpu/context';
import { TrainingSession } from '../train/session';
import type { TrainConfig } from '../train/trainer-api';
import { InputError } from '../util/errors';
import { checkpointSettings } from '../train/checkpoint';
import { checkpointKey, deleteCheckpoint, getCheckpoint, putCheckpoint } from './checkpoint-store';
import type { GpuQueue } from './gpu-queue';
import type { HostDataset } from './host-dataset';
import type { Post, TrainerState } from './protocol';

/** IndexedDB keys and writes of a config's checkpoints. */
export const storedCheckpoints = {
  of: (slot: 'autosave' | 'saved', c: TrainConfig) => checkpointKey(slot, c.preset, c.seed),
  save: (slot: 'autosave' | 'saved', c: TrainConfig, step: number, bytes: Uint8Array) =>
    putCheckpoint({ key: checkpointKey(slot, c.preset, c.seed), step, savedAt: Date.now(), bytes }),
  discard: (slot: 'autosave' | 'saved', c: TrainConfig) =>
    deleteCheckpoint(checkpointKey(slot, c.preset, c.seed)),
};

/** One training run: the session, its config and the analyses of its model. */
export interface Run {
  session: TrainingSession;
  config: TrainConfig;
  analyses: ModelAnalyses;
}

/** A training run on the worker's device and dataset; its analyses' GPU jobs go between steps. */
export async function startRun(
  ctx: GpuContext,
  config: TrainConfig,
  dataset: HostDataset,
  post: Post,
  gpu: GpuQueue,
): Promise<Run> {
  const session = await startTraining(ctx, config, dataset, post, gpu);
  const analyses = new ModelAnalyses({
    schedule: (job, refresh) =>
      gpu.exclusive(job, refresh === 'start' ? 'refresh-start' : refresh === 'slice' ? 'refresh' : 'other'),
    // The projection's CPU work slows training only while it runs (the pacer's accounting).
    chargeRefresh: (ms) => {
      if (session.isRunning) gpu.pacer.charge(ms, false);
    },
    model: () => session.trainer,
    createRandom: (seed) => session.freshTrainer(seed),
    training: () => session.isRunning,
    snapshot: () => session.snapshotEncoder(),
    pause: () => new Promise((r) => setTimeout(r, 0)),
    objects: dataset.info.objects,
    classes: dataset.info.summary.classes,
    setName: dataset.info.summary.name,
    generated: dataset.info.source?.kind !== 'folder',
  });
  return { session, config, analyses };
}

/** Saves a checkpoint between two steps and keeps it in the browser's "saved" slot. */
export async function saveCheckpoint(r: Run, gpu: GpuQueue): Promise<{ bytes: Uint8Array; step: number }> {
  const { bytes, step } = await gpu.exclusive(async () => ({
    bytes: await r.session.checkpoint(),
    step: r.session.step,
  }));
  await storedCheckpoints.save('saved', r.config, step, bytes.slice());
  return { bytes, step };
}

/** Loads a checkpoint into the run (between steps); a file that does not fit is an InputError. */
export async function loadCheckpoint(r: Run, gpu: GpuQueue, bytes: Uint8Array, name: string): Promise<void> {
  await gpu.serial(async () => {
    try {
      await r.session.load(bytes);
    } catch (e) {
      throw new InputError(`${name} is not a checkpoint this model can load: ${(e as Error).message}`);
    }
    r.analyses.invalidate();
  });
}

/** Starts a training session on the worker's device and dataset, reporting to the page. */
function startTraining(
  ctx: GpuContext,
  config: TrainConfig,
  dataset: HostDataset,
  post: Post,
  gpu: GpuQueue,
): Promise<TrainingSession> {
  let acquired = false;
  let session: TrainingSession | undefined;
  return TrainingSession.start(
    {
      async acquire() {
        // The worker owns its device; after a loss the page has to be reloaded.
        if (acquired) throw new Error('the GPU device was lost: reload the page to start again');
        acquired = true;
        return ctx;
      },
      // The worker owns the dataset's buffers (it outlives a Reset): the session must not free them.
      loadData: async () => ({ ...dataset.data, destroy: () => {} }),
      // With the refresh budget's state: the page asks for an automatic refresh only when it is ready.
      onMetrics: (m) => post({ id: -1, type: 'metrics', metrics: m, refresh: gpu.pacer.state() }),
      onFault: (fault) => post({ id: -1, type: 'fault', fault }),
      onState: ({ running }) => {
        // Evaluation queued for a gap that will not come now goes through the queue instead.
        if (!running) void gpu.serial(() => gpu.drain());
        void trainerState(session, config).then((state) => post({ id: -1, type: 'trainer-state', state }));
      },
      persist: async (bytes, step) => {
        try {
          await storedCheckpoints.save('autosave', config, step, bytes);
          // The page's autosave line follows each save, not only state changes.
          void trainerState(session, config).then((state) => post({ id: -1, type: 'trainer-state', state }));
        } catch (e) {
          const message = `autosave failed (training continues): ${(e as Error).message}`;
          post({ id: -1, type: 'fault', fault: { kind: 'error', message } });
        }
      },
      breathe: async () => {
        await new Promise((r) => setTimeout(r, 0));
        await gpu.drain();
      },
    },
    config,
  ).then((s) => {
    session = s;
    return s;
  });
}

/** The trainer's state, and the autosave that exists for `config`'s preset and seed. */
export async function trainerState(
  session: TrainingSession | undefined,
  config: TrainConfig | null,
): Promise<TrainerState> {
  let autosave: TrainerState['autosave'] = null;
  if (config) {
    try {
      const c = await getCheckpoint(storedCheckpoints.of('autosave', config));
      if (c)
        autosave = {
          step: c.step,
          savedAt: c.savedAt,
          bytes: c.bytes.byteLength,
          config: checkpointSettings(c.bytes)?.config ?? null,
        };
    } catch {
      // No IndexedDB (private mode): no autosave to offer.
    }
  }
  return {
    exists: !!session,
    running: session?.isRunning ?? false,
    step: session?.step ?? 0,
    totalSteps: session?.totalSteps ?? 0,
    savedStep: session?.savedStep ?? 0,
    // The run's own settings (the epochs change when it trains on).
    config: session ? session.config : null,
    autosave,
  };
}

/**
 * The point encoder as an ONNX file (eval mode, [max ; mean] features, opset 17): `batch` clouds
 * of the preset's point count per run, the weights read back from the GPU.
 */
export async function exportOnnx(
  session: TrainingSession,
  batch: number,
): Promise<{ bytes: Uint8Array; step: number; points: number }> {
  const t = session.trainer;
  const r = t.resolved;
  const values = await t.point.params.download();
  const bytes = exportEncoderOnnx({ kind: 'dgcnn', config: r.dgcnn }, values, {
    batch,
    points: r.points,
    metadata: { preset: r.name, step: String(t.step), points: String(r.points), k: String(r.dgcnn.k) },
  });
  return { bytes, step: t.step, points: r.points };
}
