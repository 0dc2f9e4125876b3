import { writeFileSync } from 'node:fs';
import { exportEncoderOnnx, OnnxExportError } from '../../export/onnx/index';
import { defineCommand } from '../command';
import { MODEL_FLAGS, resolveModel } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';

export const exportOnnx = defineCommand({
  name: 'export-onnx',
  summary: 'write the DGCNN encoder (eval mode, [max ; mean] features) as an ONNX model (opset 17)',
  flags: {
    ...MODEL_FLAGS,
    out: { type: 'string', help: 'the .onnx file to write' },
    points: { type: 'int', min: 1, default: 1024, help: 'points per cloud (fixed in the graph)' },
    batch: { type: 'int', min: 1, default: 1, help: 'clouds per run (fixed in the graph)' },
    layout: {
      type: 'string',
      default: 'channels-first',
      choices: ['channels-first', 'points-first'],
      help: 'input "points": [B, 3, N] (PyTorch DGCNN) or [B, N, 3]',
    },
  },
  async run({ flags }, io) {
    if (!flags.out) throw new UsageError('missing --out');
    const { model, values, source } = resolveModel(flags);
    const points = flags.points ?? 1024;
    const batch = flags.batch ?? 1;
    const layout = flags.layout as 'channels-first' | 'points-first';
    let bytes: Uint8Array;
    try {
      bytes = exportEncoderOnnx(model, values, {
        batch,
        points,
        layout,
        metadata: { weights: source },
      });
    } catch (e) {
      if (e instanceof OnnxExportError) {
        throw new InputError((e as Error).message);
      }
      throw e;
    }
    try {
      writeFileSync(flags.out, bytes);
    } catch (e) {
      throw new InputError(`--out: cannot write "${flags.out}": ${(e as Error).message}`);
    }
    const k = model.kind === 'dgcnn' ? model.config.k : undefined;
    const featureWidth = model.kind === 'dgcnn' ? 2 * model.config.emb : undefined;
    const input = layout === 'channels-first' ? [batch, 3, points] : [batch, points, 3];
    io.out(
      `${JSON.stringify(
        {
          out: flags.out,
          bytes: bytes.length,
          weights: source,
          opset: 17,
          k,
          inputs: { points: input },
          outputs: { features: [batch, featureWidth] },
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  },
});
