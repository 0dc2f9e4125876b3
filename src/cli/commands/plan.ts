import { knnSplitsOnDiscreteGpu } from '../../kernels/knn';
import { trainingStepPlan } from '../../nn/training-plan';
import { getPreset, PRESET_NAMES } from '../../train/presets';
import { defineCommand } from '../command';

export const plan = defineCommand({
  name: 'plan',
  summary: 'print the GPU bytes of one training step by buffer group, fused and naive EdgeConv, as JSON',
  flags: {
    preset: {
      type: 'string',
      default: 'tiny',
      choices: PRESET_NAMES,
      help: 'model and data sizes',
    },
    batch: {
      type: 'int',
      min: 1,
      help: "objects per step (default: the preset's); the point encoder sees 2× as many clouds",
    },
  },
  async run({ flags }, io) {
    const preset = getPreset(flags.preset!);
    const batch = flags.batch ?? preset.batch;
    const splits = knnSplitsOnDiscreteGpu(2 * batch, preset.points);
    io.out(`${JSON.stringify(trainingStepPlan(preset, batch, splits), null, 2)}\n`);
    return 0;
  },
});
