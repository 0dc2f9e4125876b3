/** Encoder features of labelled splits for `eval-svm` and `fewshot`: flags, model, extraction. */
import type { FeatureSet } from '../eval/features';
import { extractFeatures } from '../eval/extract-features';
import type { GpuContext } from '../gpu/context';
import type { HostTensors } from '../nn/param-store';
import type { EncoderModel } from '../nn/weights';
import type { CliIO } from './command';
import type { LabelledSet } from './dataset-input';
import { asInputError } from './encoder-inputs';
import { InputError } from './errors';

export const EXTRACT_FLAGS = {
  points: {
    type: 'int',
    default: 1024,
    min: 1,
    help: 'first N points of each cloud fed to the encoder (as the paper)',
  },
  batch: { type: 'int', default: 16, min: 1, help: 'clouds per encoder forward' },
} as const;

export interface Encoder {
  model: EncoderModel;
  values: HostTensors;
  /** Where the weights came from ("seed 0" or the file). */
  source: string;
}

/** Refuses a point count the model cannot use, before any GPU work. */
export function checkPoints(enc: Encoder, points: number): void {
  if (enc.model.kind === 'dgcnn' && points < enc.model.config.k) {
    throw new InputError(`--points ${points} is fewer than k = ${enc.model.config.k} neighbours`);
  }
}

/**
 * Features [n, F] of the clouds of `set` (only the rows in `rows` when given; the others stay 0,
 * for callers that know they never read them), with progress and warnings on stderr.
 */
export async function encodeSet(
  ctx: GpuContext,
  enc: Encoder,
  set: LabelledSet,
  what: string,
  o: { points: number; batch: number; command: string; rows?: Int32Array },
  io: CliIO,
): Promise<FeatureSet> {
  const rows = o.rows ?? Int32Array.from({ length: set.n }, (_, i) => i);
  const cloud = set.N0 * 3;
  let xyz = set.xyz;
  if (rows.length !== set.n) {
    xyz = new Float32Array(rows.length * cloud);
    rows.forEach((r, i) => {
      xyz.set(set.xyz.subarray(r * cloud, (r + 1) * cloud), i * cloud);
    });
  }
  const t0 = performance.now();
  let last = t0;
  const f = await asInputError(() =>
    extractFeatures(ctx, { ...enc.model, values: enc.values }, xyz, rows.length, set.N0, {
      points: o.points,
      batch: o.batch,
      onWarning: (w) => io.err(`crosspoint ${o.command}: note: ${what}: ${w}\n`),
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - last > 5000 || done === total) {
          last = now;
          io.err(`${what}: encoded ${done}/${total} clouds (${((now - t0) / 1000).toFixed(1)} s)\n`);
        }
      },
    }),
  );
  const F = f.length / rows.length;
  if (rows.length === set.n) return { features: f, labels: set.labels };
  const features = new Float32Array(set.n * F);
  rows.forEach((r, i) => {
    features.set(f.subarray(i * F, (i + 1) * F), r * F);
  });
  return { features, labels: set.labels };
}

/** What the output JSON says about the encoder. */
export function describeEncoder(enc: Encoder, points: number) {
  return { model: enc.model.kind, config: enc.model.config, weights: enc.source, points };
}
