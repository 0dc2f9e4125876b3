/** Encoder features of labelled splits for `eval-svm` and `fewshot`: flags, model, extraction. */
import type { FeatureSet } from '../eval/features';
import { extractFeatures } from '../eval/extract-features';
import type { GpuContext } from '../gpu/context';
import { kProblem } from '../kernels/knn-limits';
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
  const why = enc.model.kind === 'dgcnn' ? kProblem(enc.model.config.k, points) : undefined;
  if (why) throw new InputError(`--points ${points}: ${why}`);
}

export interface SetToEncode {
  set: LabelledSet;
  /** Only these clouds (the others' feature rows stay 0, for callers that never read them). */
  rows?: Int32Array;
}

/**
 * Features [n, F] of each set's clouds, with progress and warnings on stderr. Sets with the same
 * point count go through one extraction (one plan, one pipeline warm-up); features do not depend
 * on batch neighbours, so this gives the same numbers as encoding them one by one.
 */
export async function encodeSets(
  ctx: GpuContext,
  enc: Encoder,
  parts: readonly SetToEncode[],
  o: { points: number; batch: number; command: string },
  io: CliIO,
): Promise<FeatureSet[]> {
  const rowsOf = (p: SetToEncode) => p.rows ?? Int32Array.from({ length: p.set.n }, (_, i) => i);
  const out: FeatureSet[] = new Array(parts.length);
  const byN0 = new Map<number, number[]>();
  parts.forEach((p, i) => {
    byN0.set(p.set.N0, [...(byN0.get(p.set.N0) ?? []), i]);
  });
  for (const [N0, members] of byN0) {
    const cloud = N0 * 3;
    const total = members.reduce((a, i) => a + rowsOf(parts[i]!).length, 0);
    const xyz = new Float32Array(total * cloud); // [total, N0, 3]
    let at = 0;
    for (const i of members) {
      const { set } = parts[i]!;
      for (const r of rowsOf(parts[i]!)) xyz.set(set.xyz.subarray(r * cloud, (r + 1) * cloud), at++ * cloud);
    }
    const t0 = performance.now();
    let last = t0;
    const f =
      total === 0
        ? new Float32Array(0)
        : await asInputError(() =>
            extractFeatures(ctx, { ...enc.model, values: enc.values }, xyz, total, N0, {
              points: o.points,
              batch: o.batch,
              onWarning: (w) => io.err(`crosspoint ${o.command}: note: ${w}\n`),
              onProgress: (done, n) => {
                const now = performance.now();
                if (now - last > 10000 || done === n) {
                  last = now;
                  io.err(`encoded ${done}/${n} clouds (${((now - t0) / 1000).toFixed(1)} s)\n`);
                }
              },
            }),
          );
    const F = total ? f.length / total : 0;
    at = 0;
    for (const i of members) {
      const { set } = parts[i]!;
      const features = new Float32Array(set.n * F);
      for (const r of rowsOf(parts[i]!)) features.set(f.subarray(at * F, ++at * F), r * F);
      out[i] = { features, labels: set.labels };
    }
  }
  return out;
}

/** What the output JSON says about the encoder. */
export function describeEncoder(enc: Encoder, points: number) {
  return { model: enc.model.kind, config: enc.model.config, weights: enc.source, points };
}
