import { acquireNodeContext } from '../../gpu/node';
import { runPointEncoder } from '../../nn/point-encoder-run';
import { readClouds } from '../cloud-input';
import { defineCommand } from '../command';
import {
  asInputError,
  MODEL_FLAGS,
  makeOutDir,
  resolveModel,
  writeChoices,
  writeNpyFile,
} from '../encoder-inputs';
import { InputError, UsageError } from '../errors';
import { encodePartSeg, MODEL_CHOICE_FLAGS, picksPartSeg } from '../partseg-model-commands';

export const encode = defineCommand({
  name: 'encode',
  summary: 'point clouds → features, projections and the kNN / max choices (.npy files)',
  flags: {
    input: { type: 'string', help: '.npy float32 [B, N, 3], an HDF5 file with `data`, or a .ply' },
    ...MODEL_CHOICE_FLAGS,
    ...MODEL_FLAGS,
    mode: {
      type: 'string',
      default: 'eval',
      choices: ['eval', 'train'],
      help: 'BatchNorm running stats or batch stats',
    },
    out: { type: 'string', help: 'output folder' },
  },
  async run({ flags }, io) {
    if (picksPartSeg(flags)) return encodePartSeg(flags, io);
    if (!flags.input) throw new UsageError('missing --input');
    if (!flags.out) throw new UsageError('missing --out');
    const { model, values, source } = resolveModel(flags);
    const k = model.kind === 'dgcnn' ? model.config.k : undefined;
    const clouds = await readClouds(flags.input, 'input', { points: flags.points, k });
    const mode = flags.mode as 'eval' | 'train';
    if (mode === 'train' && clouds.B < 2) {
      throw new InputError('--mode train needs at least 2 clouds (BatchNorm takes batch statistics)');
    }
    makeOutDir(flags.out);
    const ctx = await acquireNodeContext();
    try {
      const { B, N } = clouds;
      const out = await asInputError(() => runPointEncoder(ctx, model, values, clouds.xyz, B, N, mode));
      const files = [
        writeNpyFile(flags.out, 'features.npy', out.features, [B, out.features.length / B]),
        writeNpyFile(flags.out, 'projections.npy', out.projections, [B, out.projections.length / B]),
        ...writeChoices(flags.out, model, out, B, N, { pos: mode === 'train' }),
      ];
      io.out(
        `${JSON.stringify({ model: model.kind, config: model.config, weights: source, clouds: B, points: N, mode, files }, null, 2)}\n`,
      );
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
