import { knnSplitsOnDiscreteGpu } from '../../kernels/knn';
import {
  PARTSEG_REFERENCE,
  PARTSEG_REFERENCE_BATCH,
  PARTSEG_REFERENCE_POINTS,
} from '../../nn/dgcnn-partseg-config';
import { partSegStepPlan } from '../../nn/partseg-plan';
import { trainingStepPlan } from '../../nn/training-plan';
import { getPreset, PRESET_NAMES } from '../../train/presets';
import { defineCommand } from '../command';

export const plan = defineCommand({
  name: 'plan',
  summary: 'print the GPU bytes of one training step by buffer group, fused and naive EdgeConv, as JSON',
  flags: {
    model: {
      type: 'string',
      default: 'crosspoint',
      choices: ['crosspoint', 'partseg'],
      help: 'the pretraining step (crosspoint) or a part-segmentation fine-tuning step (partseg)',
    },
    points: { type: 'int', min: 1, help: '--model partseg: points per cloud (default 2048)' },
    k: { type: 'int', min: 1, help: '--model partseg: neighbours (default 40)' },
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
    if (flags.model === 'partseg') {
      const batch = flags.batch ?? PARTSEG_REFERENCE_BATCH;
      const points = flags.points ?? PARTSEG_REFERENCE_POINTS;
      const c = { ...PARTSEG_REFERENCE, k: flags.k ?? PARTSEG_REFERENCE.k };
      const splits = knnSplitsOnDiscreteGpu(batch, points);
      io.out(`${JSON.stringify(partSegStepPlan(c, batch, points, splits), null, 2)}\n`);
      return 0;
    }
    const preset = getPreset(flags.preset!);
    const batch = flags.batch ?? preset.batch;
    const splits = knnSplitsOnDiscreteGpu(2 * batch, preset.points);
    io.out(`${JSON.stringify(trainingStepPlan(preset, batch, splits), null, 2)}\n`);
    return 0;
  },
});
