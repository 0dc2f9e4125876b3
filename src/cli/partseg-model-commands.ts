/**
 * `crosspoint encode --model partseg` and `crosspoint grad --model partseg`: the part-segmentation
 * model (DGCNN_partseg) on .npy clouds and categories, with every discrete choice written out so an
 * outside float64 checker can follow the same graphs and max winners.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireNodeContext } from '../gpu/node';
import { kProblem } from '../kernels/knn-limits';
import { type NpyArray, NpyError, readNpy } from '../io/npy';
import { writeSafetensors } from '../io/safetensors';
import type { StateDict } from '../io/state-dict';
import { PARTSEG_REFERENCE, type PartSegConfig, partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { initialiseParams } from '../nn/param-spec';
import type { HostTensors } from '../nn/param-store';
import { type PartSegOutputs, runPartSeg } from '../nn/partseg-run';
import { loadPartSegWeights, partSegMetadata } from '../nn/partseg-weights';
import { WeightsError } from '../nn/weights';
import { type Clouds, readBytes, readClouds } from './cloud-input';
import { asInputError, makeOutDir, writeNpyFile } from './encoder-inputs';
import { InputError, UsageError } from './errors';
import { readLabels } from './npy-inputs';

/**
 * The flags encode and grad share beside MODEL_FLAGS: which model (the point encoder or the
 * part-segmentation model), the categories the latter needs, and how many points to use.
 */
export const MODEL_CHOICE_FLAGS = {
  model: {
    type: 'string',
    default: 'encoder',
    choices: ['encoder', 'partseg'],
    help: 'the point encoder (DGCNN/PointNet with inv_head) or the part-segmentation model (DGCNN_partseg)',
  },
  labels: { type: 'string', help: '--model partseg: .npy integer categories [B] (0…15)' },
  points: { type: 'int', min: 1, help: 'use the first N points of each cloud (default: all)' },
} as const;

/** Whether the flags pick --model partseg; a usage error where a flag belongs to the other model. */
export function picksPartSeg(f: { model?: string; preset?: string; labels?: string }): boolean {
  if (f.model === 'partseg') {
    if (f.preset !== undefined) throw new UsageError('--preset sizes the point encoder, not --model partseg');
    return true;
  }
  if (f.labels !== undefined) throw new UsageError('--labels is for --model partseg');
  return false;
}

export interface PartSegFlags {
  input?: string;
  labels?: string;
  weights?: string;
  seed?: number;
  k?: number;
  points?: number;
  out?: string;
}

interface PartSegInputs {
  config: PartSegConfig;
  values: HostTensors;
  source: string;
  clouds: Clouds;
  labels: Int32Array;
}

/** The model from --weights (k from --k, else the file's metadata, else 40), or fresh from --seed at the reference size. */
export function resolvePartSegModel(f: PartSegFlags): {
  config: PartSegConfig;
  values: HostTensors;
  source: string;
} {
  if (f.weights !== undefined && f.seed !== undefined)
    throw new UsageError('give --weights or --seed, not both');
  const badK = f.k === undefined ? undefined : kProblem(f.k);
  if (badK) throw new UsageError(`--k: ${badK}`);
  let config: PartSegConfig;
  let values: HostTensors;
  let source: string;
  if (f.weights !== undefined) {
    try {
      const w = loadPartSegWeights(readBytes(f.weights, 'weights'), { k: f.k });
      ({ config, values } = w);
      source = f.weights;
    } catch (e) {
      if (e instanceof WeightsError) throw new InputError(`--weights "${f.weights}": ${e.message}`);
      throw e;
    }
  } else {
    config = { ...PARTSEG_REFERENCE, k: f.k ?? PARTSEG_REFERENCE.k };
    const seed = f.seed ?? 0;
    values = initialiseParams(partSegParamSpecs(config), seed);
    source = `seed ${seed}`;
  }
  return { config, values, source };
}

/** The model, clouds and categories. */
async function readPartSegInputs(f: PartSegFlags): Promise<PartSegInputs> {
  for (const name of ['input', 'labels', 'out'] as const)
    if (!f[name]) throw new UsageError(`missing --${name}`);
  const { config, values, source } = resolvePartSegModel(f);
  const clouds = await readClouds(f.input!, 'input', { points: f.points, k: config.k });
  const labels = readLabels(f.labels!, 'labels');
  if (labels.length !== clouds.B) {
    throw new InputError(
      `--labels "${f.labels}": ${labels.length} categories for ${clouds.B} clouds in --input`,
    );
  }
  const bad = labels.findIndex((v) => v < 0 || v >= config.categories);
  if (bad >= 0) {
    throw new InputError(
      `--labels "${f.labels}": category ${labels[bad]} of cloud ${bad} is outside 0…${config.categories - 1}`,
    );
  }
  return { config, values, source, clouds, labels };
}

/** knn.0..3.npy [B, N, k] and argmax.<max>.npy, int32. */
function writePartSegChoices(
  dir: string,
  c: PartSegConfig,
  out: PartSegOutputs,
  B: number,
  N: number,
): string[] {
  const files = out.knn.map((idx, q) => writeNpyFile(dir, `knn.${q}.npy`, idx, [B, N, c.k]));
  for (const [name, a] of out.argmax) files.push(writeNpyFile(dir, `argmax.${name}.npy`, a.data, a.shape));
  return files;
}

export async function encodePartSeg(f: PartSegFlags & { mode?: string }, io: { out(t: string): void }) {
  const { config, values, source, clouds, labels } = await readPartSegInputs(f);
  const mode = f.mode as 'eval' | 'train';
  const { B, N } = clouds;
  if (mode === 'train' && B < 2) {
    throw new InputError('--mode train needs at least 2 clouds (BatchNorm takes batch statistics)');
  }
  makeOutDir(f.out!);
  const ctx = await acquireNodeContext();
  try {
    const out = await asInputError(() => runPartSeg(ctx, config, values, clouds.xyz, labels, B, N, mode));
    const files = [
      writeNpyFile(f.out!, 'logits.npy', out.logits, [B, config.parts, N]),
      ...writePartSegChoices(f.out!, config, out, B, N),
    ];
    io.out(
      `${JSON.stringify({ model: 'partseg', config, weights: source, clouds: B, points: N, mode, files }, null, 2)}\n`,
    );
    return 0;
  } finally {
    ctx.destroy();
  }
}

export async function gradPartSeg(f: PartSegFlags & { cotangent?: string }, io: { out(t: string): void }) {
  if (!f.cotangent) throw new UsageError('missing --cotangent');
  const { config, values, source, clouds, labels } = await readPartSegInputs(f);
  const { B, N } = clouds;
  if (B < 2) throw new InputError('grad runs a training-mode forward, which needs at least 2 clouds');
  let g: NpyArray;
  try {
    g = readNpy(readBytes(f.cotangent, 'cotangent'));
  } catch (e) {
    if (e instanceof NpyError) throw new InputError(`--cotangent "${f.cotangent}": ${e.message}`);
    throw e;
  }
  if (g.dtype !== 'float32') throw new InputError(`--cotangent: G must be float32, got ${g.dtype}`);
  const want = [B, config.parts, N];
  if (g.shape.join() !== want.join()) {
    throw new InputError(`--cotangent: G must have shape [${want.join(', ')}], got [${g.shape.join(', ')}]`);
  }
  const bad = (g.data as Float32Array).findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(`--cotangent: element ${bad} is not finite`);
  makeOutDir(f.out!);
  const ctx = await acquireNodeContext();
  try {
    const out = await asInputError(() =>
      runPartSeg(ctx, config, values, clouds.xyz, labels, B, N, 'train', {
        cotangent: g.data as Float32Array,
      }),
    );
    const sd: StateDict = new Map();
    for (const s of partSegParamSpecs(config)) {
      if (s.trainable) sd.set(s.name, { dtype: 'F32', shape: [...s.shape], data: out.grads!.get(s.name)! });
    }
    sd.set('input', { dtype: 'F32', shape: [B, N, 3], data: out.dPoints! });
    const meta = partSegMetadata(config, 'segment', {
      content: 'gradients of sum(logits * G), training-mode forward, dropout off',
    });
    const path = join(f.out!, 'grads.safetensors');
    writeFileSync(path, writeSafetensors(sd, meta));
    const files = [path, ...writePartSegChoices(f.out!, config, out, B, N)];
    io.out(
      `${JSON.stringify({ model: 'partseg', config, weights: source, clouds: B, points: N, files }, null, 2)}\n`,
    );
    return 0;
  } finally {
    ctx.destroy();
  }
}
