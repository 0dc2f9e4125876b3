/** The model, weights and outputs shared by `encode` and `grad`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GpuLimitError } from '../gpu/errors';
import { KNN_MAX_K, kProblem } from '../kernels/knn-limits';
import { DEFAULT_K } from '../nn/dgcnn-config';
import { type NpyData, writeNpy } from '../io/npy';
import { DGCNN_REFERENCE } from '../nn/dgcnn-config';
import type { HostTensors } from '../nn/param-store';
import type { EncoderOutputs } from '../nn/point-encoder-run';
import { type EncoderModel, freshWeights, loadEncoderWeights, WeightsError } from '../nn/weights';
import { getPreset, PRESET_NAMES } from '../train/presets';
import { readBytes } from './cloud-input';
import { InputError, UsageError } from './errors';

export interface ModelFlags {
  weights?: string;
  seed?: number;
  k?: number;
  preset?: string;
  /** k when neither --k, the weights file's metadata nor --preset gives one (default: the reference's 20). */
  defaultK?: number;
}

export const MODEL_FLAGS = {
  weights: {
    type: 'string',
    help: 'point-encoder weights (.safetensors, reference names; bare or point_model.*)',
  },
  seed: {
    type: 'int',
    min: 0,
    help: 'fresh PyTorch-default weights from this seed (default 0 when no --weights)',
  },
  k: {
    type: 'int',
    min: 1,
    help: `neighbours per point, at most ${KNN_MAX_K} (default: the weights file's metadata, else ${DEFAULT_K})`,
  },
  preset: {
    type: 'string',
    choices: PRESET_NAMES,
    help: "without --weights: fresh weights at this pretraining preset's DGCNN size (default: the reference size)",
  },
} as const;

/** The model and its values from --weights, or fresh reference-size weights from --seed. */
export function resolveModel(f: ModelFlags): { model: EncoderModel; values: HostTensors; source: string } {
  if (f.weights !== undefined && f.seed !== undefined)
    throw new UsageError('give --weights or --seed, not both');
  const badK = f.k === undefined ? undefined : kProblem(f.k);
  if (badK) throw new UsageError(`--k: ${badK}`);
  if (f.weights !== undefined) {
    if (f.preset !== undefined)
      throw new UsageError('--preset sizes fresh weights (--seed); a weights file carries its own size');
    try {
      const w = loadEncoderWeights(readBytes(f.weights, 'weights'), { k: f.k });
      const metaK = Number.parseInt(w.metadata.k ?? '', 10);
      if (f.k === undefined && f.defaultK !== undefined && w.model.kind === 'dgcnn' && !(metaK > 0))
        w.model = { kind: 'dgcnn', config: { ...w.model.config, k: f.defaultK } };
      return { model: w.model, values: w.values, source: f.weights };
    } catch (e) {
      if (e instanceof WeightsError) throw new InputError(`--weights "${f.weights}": ${e.message}`);
      throw e;
    }
  }
  // A random-init baseline must have the architecture of the pretrained encoder it is compared with.
  const base = f.preset === undefined ? DGCNN_REFERENCE : getPreset(f.preset).dgcnn;
  const k = f.k ?? (f.preset === undefined ? f.defaultK : undefined) ?? base.k;
  const model: EncoderModel = { kind: 'dgcnn', config: { ...base, k } };
  const seed = f.seed ?? 0;
  return { model, values: freshWeights(model, seed), source: `seed ${seed}` };
}

/** Runs `fn`, turning a kernel or adapter limit the user's settings hit into an input error (exit 2). */
export async function asInputError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof GpuLimitError) throw new InputError(e.message);
    throw e;
  }
}

export function writeNpyFile(dir: string, name: string, data: NpyData, shape: number[]): string {
  const p = join(dir, name);
  writeFileSync(p, writeNpy(data, shape));
  return p;
}

export function makeOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`--out: cannot create "${dir}": ${(e as Error).message}`);
  }
}

/**
 * knn.l.npy [B, N, k] and argmax.l.npy [B, Cout, N] (int32) for each EdgeConv; with `pos` (the
 * training-mode commands) also pos.l.npy [B, Cout, N] (uint8): 1 where the winner's BN output
 * was > 0, so an outside checker can condition on the engine's own LeakyReLU branch.
 */
export function writeChoices(
  dir: string,
  model: EncoderModel,
  out: EncoderOutputs,
  B: number,
  N: number,
  opts: { pos?: boolean } = {},
): string[] {
  if (model.kind !== 'dgcnn') return [];
  const files: string[] = [];
  const { k, edgeWidths } = model.config;
  for (let l = 0; l < out.knn.length; l++) {
    files.push(writeNpyFile(dir, `knn.${l + 1}.npy`, out.knn[l]!, [B, N, k]));
    files.push(writeNpyFile(dir, `argmax.${l + 1}.npy`, out.argmax[l]!, [B, edgeWidths[l]!, N]));
    if (opts.pos) files.push(writeNpyFile(dir, `pos.${l + 1}.npy`, out.pos[l]!, [B, edgeWidths[l]!, N]));
  }
  return files;
}
