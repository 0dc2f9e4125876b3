import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireNodeContext } from '../../gpu/node';
import { type NpyArray, NpyError, readNpy } from '../../io/npy';
import { writeSafetensors } from '../../io/safetensors';
import type { StateDict } from '../../io/state-dict';
import { runPointEncoder } from '../../nn/point-encoder-run';
import { encoderMetadata, encoderParamSpecs } from '../../nn/weights';
import { readBytes, readClouds } from '../cloud-input';
import { defineCommand } from '../command';
import { asInputError, MODEL_FLAGS, makeOutDir, resolveModel, writeChoices } from '../encoder-inputs';
import { InputError, UsageError } from '../errors';
import { gradPartSeg, MODEL_CHOICE_FLAGS, picksPartSeg } from '../partseg-model-commands';

export const grad = defineCommand({
  name: 'grad',
  summary: 'training-mode forward, then the gradients of Σ projections ⊙ G (grads.safetensors)',
  flags: {
    input: { type: 'string', help: '.npy float32 [B, N, 3] (or HDF5 / .ply, like encode)' },
    cotangent: { type: 'string', help: '.npy float32 [B, proj] (G); --model partseg: [B, 50, N]' },
    ...MODEL_CHOICE_FLAGS,
    ...MODEL_FLAGS,
    out: { type: 'string', help: 'output folder' },
  },
  async run({ flags }, io) {
    if (picksPartSeg(flags)) return gradPartSeg(flags, io);
    for (const f of ['input', 'cotangent', 'out'] as const)
      if (!flags[f]) throw new UsageError(`missing --${f}`);
    const { model, values, source } = resolveModel(flags);
    const k = model.kind === 'dgcnn' ? model.config.k : undefined;
    const clouds = await readClouds(flags.input!, 'input', { points: flags.points, k });
    const { B, N } = clouds;
    if (B < 2) throw new InputError('grad runs a training-mode forward, which needs at least 2 clouds');
    const proj = model.config.proj;
    let g: NpyArray;
    try {
      g = readNpy(readBytes(flags.cotangent!, 'cotangent'));
    } catch (e) {
      if (e instanceof NpyError) throw new InputError(`--cotangent "${flags.cotangent}": ${e.message}`);
      throw e;
    }
    if (g.dtype !== 'float32') throw new InputError(`--cotangent: G must be float32, got ${g.dtype}`);
    if (g.shape.length !== 2 || g.shape[0] !== B || g.shape[1] !== proj) {
      throw new InputError(`--cotangent: G must have shape [${B}, ${proj}], got [${g.shape.join(', ')}]`);
    }
    const bad = (g.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InputError(`--cotangent: element ${bad} is not finite`);
    makeOutDir(flags.out!);
    const ctx = await acquireNodeContext();
    try {
      const out = await asInputError(() =>
        runPointEncoder(ctx, model, values, clouds.xyz, B, N, 'train', { cotangent: g.data as Float32Array }),
      );
      const sd: StateDict = new Map();
      for (const s of encoderParamSpecs(model)) {
        if (s.trainable) sd.set(s.name, { dtype: 'F32', shape: [...s.shape], data: out.grads!.get(s.name)! });
      }
      sd.set('input', { dtype: 'F32', shape: [B, N, 3], data: out.dPoints! });
      const meta = encoderMetadata(model, {
        content: 'gradients of sum(projections * G), training-mode forward',
      });
      const path = join(flags.out!, 'grads.safetensors');
      writeFileSync(path, writeSafetensors(sd, meta));
      const files = [path, ...writeChoices(flags.out!, model, out, B, N, { pos: true })];
      io.out(
        `${JSON.stringify({ model: model.kind, config: model.config, weights: source, clouds: B, points: N, files }, null, 2)}\n`,
      );
      return 0;
    } finally {
      ctx.destroy();
    }
  },
});
