/** Set-up shared by the trainer and session tests: a very small model and training set. */
import { generateSampleSet, type SampleSet } from '../src/data/sample-set';
import type { GpuContext } from '../src/gpu/context';
import type { TrainConfig } from '../src/train/trainer-api';
import { type TrainingData, trainingDataFromSampleSet } from '../src/train/training-data';

/** The tiny preset shrunk further, so a step takes well under a second on a CPU adapter; `over` changes a setting or two. */
export function microConfig(over: Partial<TrainConfig> = {}): TrainConfig {
  return {
    preset: 'tiny',
    seed: 3,
    batch: 4,
    epochs: 10,
    k: 4,
    model: {
      points: 32,
      imageSize: 8,
      dgcnn: { edgeWidths: [8, 8, 16, 16], emb: 32, headHidden: 32, proj: 16 },
      resnet: { block: 'basic', layers: [1, 1, 1, 1], base: 4, stem: 'small', headHidden: 16, proj: 16 },
    },
    ...over,
  };
}

/** The generated set at a micro size: 2 objects a class, 2 views of 8×8, `points` points each. */
export function microSampleSet({ points = 32, seed = 5 } = {}): SampleSet {
  return generateSampleSet({ perClass: 2, points, views: 2, imageSize: 8, seed });
}

/** microSampleSet's training data on `ctx` (the caller destroys it). */
export function microTrainingData(ctx: GpuContext, set = microSampleSet()): Promise<TrainingData> {
  return trainingDataFromSampleSet(ctx, set);
}
