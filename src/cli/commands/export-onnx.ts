import { writeFileSync } from 'node:fs';
import { buildPartSegOnnx, exportEncoderOnnx, OnnxExportError } from '../../export/onnx/index';
import { defineCommand } from '../command';
import { MODEL_FLAGS, resolveModel } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';
import { resolvePartSegModel } from '../partseg-model-commands';

export const exportOnnx = defineCommand({
  name: 'export-onnx',
  summary: 'write the DGCNN encoder (eval mode, [max ; mean] features) as an ONNX model (opset 17)',
  flags: {
    model: {
      type: 'string',
      default: 'encoder',
      choices: ['encoder', 'partseg'],
      help: 'the DGCNN encoder, or the part-segmentation model (inputs points [B, 3, N] and category [B, 16] one-hot, output logits [B, 50, N])',
    },
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
    if (flags.model === 'partseg') return exportPartSeg(flags, io);
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

/** `export-onnx --model partseg`: DGCNN_partseg in eval mode. */
function exportPartSeg(
  flags: {
    out?: string;
    weights?: string;
    seed?: number;
    k?: number;
    points?: number;
    batch?: number;
    layout?: string;
    preset?: string;
  },
  io: { out(t: string): void },
): number {
  if (flags.preset !== undefined)
    throw new UsageError('--preset sizes the point encoder, not --model partseg');
  if (flags.layout !== 'channels-first')
    throw new UsageError('--model partseg takes points as [B, 3, N] (channels-first)');
  const { config, values, source } = resolvePartSegModel(flags);
  const points = flags.points ?? 1024;
  const batch = flags.batch ?? 1;
  let bytes: Uint8Array;
  try {
    bytes = buildPartSegOnnx(config, values, { batch, points, metadata: { weights: source } });
  } catch (e) {
    if (e instanceof OnnxExportError) throw new InputError(e.message);
    throw e;
  }
  try {
    writeFileSync(flags.out!, bytes);
  } catch (e) {
    throw new InputError(`--out: cannot write "${flags.out}": ${(e as Error).message}`);
  }
  const result = {
    out: flags.out,
    bytes: bytes.length,
    weights: source,
    opset: 17,
    k: config.k,
    inputs: { points: [batch, 3, points], category: [batch, config.categories] },
    outputs: { logits: [batch, config.parts, points] },
  };
  io.out(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
