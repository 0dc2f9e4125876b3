/**
 * The CrossPoint trainer (src/train/trainer.ts) under its run / pause / step controller
 * (src/train/session.ts), adapted to the worker's TrainerLike.
 */
import type { GpuContext } from '../gpu/context';
import { TrainingSession } from '../train/session';
import type { TrainConfig } from '../train/trainer-api';
import type { TrainingData } from '../train/training-data';
import type { HostDataset, TrainerHooks, TrainerLike } from './pieces';
import type { SampleDataset } from './sample-dataset';

export async function createTrainer(
  ctx: GpuContext,
  config: TrainConfig,
  dataset: HostDataset,
  hooks: TrainerHooks,
): Promise<TrainerLike> {
  const data = dataset.forTrainer as SampleDataset;
  const trainingData: TrainingData = data;
  let acquired = false;
  const session = await TrainingSession.start(
    {
      async acquire() {
        // The worker owns its device; after a loss the page has to be reloaded.
        if (acquired) throw new Error('the GPU device was lost: reload the page to start again');
        acquired = true;
        return ctx;
      },
      loadData: async () => trainingData,
      onMetrics: hooks.onMetrics,
      onFault: hooks.onFault,
      onState: hooks.onState,
      persist: hooks.persist,
      breathe: hooks.breathe,
    },
    config,
  );
  const N = data.pointsPerCloud;
  return {
    get stepCount() {
      return session.step;
    },
    get running() {
      return session.isRunning;
    },
    run() {
      void session.run();
    },
    pause: () => session.pause(),
    async stepOnce() {
      await session.stepOnce();
    },
    embed: (idx) => session.trainer.embed(idx),
    features: (idx) => session.trainer.features(idx),
    async cloudFeatures(cloud) {
      const direct = (
        session.trainer as { pointFeatures?: (c: Float32Array, n: number) => Promise<Float32Array> }
      ).pointFeatures;
      if (direct) return direct.call(session.trainer, cloud.subarray(0, N * 3), 1);
      // Otherwise the dataset's spare slot holds the user's cloud: the same eval path as the sample set.
      ctx.device.queue.writeBuffer(data.clouds, data.spare * N * 12, cloud.subarray(0, N * 3));
      return session.trainer.features([data.spare]);
    },
    saveCheckpoint: () => session.checkpoint(),
    loadCheckpoint: (bytes) => session.load(bytes),
    dispose: () => session.dispose(),
  };
}
