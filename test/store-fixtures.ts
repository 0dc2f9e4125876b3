/** Engine replies the store tests share (test/fake-engine.ts answers with them). */
import type { StepMetrics } from '../src/train/trainer-api';
import type { DatasetInfo, EngineEvent, TrainerState } from '../src/worker/protocol';

export const metrics = (step: number, loss: number): StepMetrics => ({
  step,
  epoch: 0,
  lImid: loss / 2,
  lCmid: loss / 2,
  loss,
  lr: 1e-3,
  stepMs: 500,
  samplesPerSec: 16,
  gpuBytes: 1 << 20,
  etaSec: 100,
});

export const trainerState = (patch: Partial<TrainerState> = {}): TrainerState => ({
  exists: false,
  running: false,
  step: 0,
  totalSteps: 0,
  savedStep: 0,
  config: null,
  autosave: null,
  ...patch,
});

export const trainerReply = (patch: Partial<TrainerState> = {}, extra = {}): EngineEvent => ({
  id: 1,
  type: 'trainer',
  state: trainerState(patch),
  ...extra,
});

/** A sample set's info for the given generate params (78 training objects unless told). */
export function datasetInfo(params: DatasetInfo['params'], trainCounts = [78]): DatasetInfo {
  return {
    summary: {
      name: 's',
      classes: trainCounts.map((_, i) => `c${i}`),
      trainCounts,
      testCounts: trainCounts.map(() => 1),
      points: params.points,
      views: params.views,
      imageSize: params.imageSize,
    },
    params,
    objects: [],
    thumbs: [],
    seconds: 0,
  };
}

/** The reply to a 'generate' request: the set it asked for. */
export const generated = (req: unknown): EngineEvent => ({
  id: 1,
  type: 'dataset',
  info: datasetInfo((req as { params: DatasetInfo['params'] }).params),
});

export const file = (name: string) =>
  ({ name, arrayBuffer: async () => new ArrayBuffer(8) }) as unknown as File;
