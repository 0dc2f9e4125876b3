import { existsSync, readFileSync } from 'node:fs';
import { BufferArena } from '../../gpu/arena';
import { writeBuffer } from '../../gpu/buffers';
import { acquireNodeContext } from '../../gpu/node';
import { SHAPENETPART_CATEGORIES } from '../../data/loaders/class-names';
import { kProblem } from '../../kernels/knn-limits';
import { createDgcnnPartSeg } from '../../nn/dgcnn-partseg';
import { loadPartSegWeights } from '../../nn/partseg-weights';
import { WeightsError } from '../../nn/weights';
import { planPartsegLoss } from '../../train/partseg-loss';
import { evaluatePartseg } from '../../train/partseg-trainer';
import { defineCommand } from '../command';
import { asInputError, makeOutDir, writeNpyFile } from '../encoder-inputs';
import { InputError } from '../errors';
import { required } from '../npy-inputs';
import { readPartsegInput } from '../partseg-input';

export const partsegEval = defineCommand({
  name: 'partseg-eval',
  summary:
    'part segmentation: instance/class mIoU (calculate_shape_IoU) and accuracy of weights on a test split',
  flags: {
    weights: { type: 'string', help: 'part-segmentation weights or a `crosspoint partseg` checkpoint' },
    test: {
      type: 'string',
      help: 'a ShapeNetPart .h5, a folder (its *test* files or test list), or "sample"',
    },
    k: { type: 'int', min: 1, help: "neighbours per point (default: the weights' metadata, else 40)" },
    points: { type: 'int', default: 2048, min: 1, help: 'points per cloud (HDF5: the first N)' },
    batch: { type: 'int', default: 16, min: 1, help: 'clouds per forward (the reference tests with 16)' },
    seed: { type: 'int', default: 1, min: 0, help: 'seed of text-file resampling and of the generated set' },
    'per-class': {
      type: 'int',
      default: 16,
      min: 2,
      help: 'objects per category of the generated sample set',
    },
    out: { type: 'string', help: 'folder for pred.npy (S, N) int32' },
  },
  async run({ flags }, io) {
    required(flags, 'weights', 'test', 'out');
    if (!existsSync(flags.weights!)) throw new InputError(`--weights: no file at ${flags.weights}`);
    let w: ReturnType<typeof loadPartSegWeights>;
    try {
      w = loadPartSegWeights(new Uint8Array(readFileSync(flags.weights!)), { mode: 'segment', k: flags.k });
    } catch (e) {
      if (e instanceof WeightsError) throw new InputError(`--weights ${flags.weights}: ${e.message}`);
      throw e;
    }
    const points = flags.points!;
    const kWhy = kProblem(w.config.k, points);
    if (kWhy) throw new InputError(`--k: ${kWhy} (lower --k or raise --points)`);
    const set = await readPartsegInput(flags.test!, 'test', 'test', {
      points,
      seed: flags.seed!,
      perClass: flags['per-class']!,
    });
    makeOutDir(flags.out!);
    const ctx = await acquireNodeContext();
    const arena = new BufferArena(ctx, '--batch or --points');
    try {
      const B = Math.min(flags.batch!, set.S);
      const model = await asInputError(() =>
        createDgcnnPartSeg(ctx, arena, w.config, { batch: B, points, backward: false }),
      );
      model.params.upload(w.values);
      const dLogits = arena.alloc('partseg-eval.dLogits', B * w.config.parts * points * 4, 'objective'); // unused gradient
      const loss = await planPartsegLoss(
        ctx,
        arena,
        { B, N: points, parts: w.config.parts },
        { logits: model.logits, dLogits },
      );
      const C = w.config.categories;
      const ev = await evaluatePartseg(ctx, model, loss, set, (p, cats, rows) => {
        const input = new Float32Array(B * 3 * points); // [B, 3, N]
        for (let b = 0; b < rows; b++)
          for (let i = 0; i < points; i++)
            for (let k = 0; k < 3; k++) input[(b * 3 + k) * points + i] = p[(b * points + i) * 3 + k]!;
        const oneHot = new Float32Array(B * C); // [B, categories]
        for (let b = 0; b < rows; b++) oneHot[b * C + cats[b]!] = 1;
        writeBuffer(ctx, model.input, input);
        writeBuffer(ctx, model.category, oneHot);
      });
      const pred = writeNpyFile(flags.out!, 'pred.npy', ev.pred, [set.S, points]);
      io.out(
        `${JSON.stringify({
          instance_miou: ev.instanceMiou,
          class_miou: ev.classMiou,
          accuracy: ev.accuracy,
          loss: ev.loss,
          shapes: set.S,
          points,
          k: w.config.k,
          per_category: Object.fromEntries(
            ev.scores.perCategory
              .map((c, i) => [SHAPENETPART_CATEGORIES[i]!.name, c] as const)
              .filter(([, c]) => c.shapes > 0),
          ),
          pred,
        })}\n`,
      );
      loss.destroy();
      model.destroy();
      return 0;
    } finally {
      arena.destroy();
      ctx.destroy();
    }
  },
});
