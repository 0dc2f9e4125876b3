import type { EmbeddingSet } from '../train/trainer-api';
import type { Progress, RunFeatureJob, RunJob } from './encoder-jobs';

/** Objects per feature job: one job is one short gap between two training steps. */
const FEATURE_CHUNK = 32;

export interface DatasetFeatures {
  /** [count, dim] pooled point features, object order. */
  features: Float32Array;
  dim: number;
  /** The model's step when the last chunk ran. */
  step: number;
}

/** Pooled (2·emb-d) eval-mode features of dataset objects 0 … count − 1, one chunk per job. */
export async function datasetFeatures(
  run: RunFeatureJob,
  count: number,
  progress: Progress,
  task: string,
): Promise<DatasetFeatures> {
  const parts: Float32Array[] = [];
  let step = 0;
  for (let s = 0; s < count; s += FEATURE_CHUNK) {
    const idx = Array.from({ length: Math.min(FEATURE_CHUNK, count - s) }, (_, i) => s + i);
    const r = await run(async (e) => ({ f: await e.features(idx), step: e.step }));
    parts.push(r.f);
    step = r.step;
    progress(task, s + idx.length, count);
  }
  const dim = count ? parts[0]!.length / Math.min(FEATURE_CHUNK, count) : 0;
  const features = new Float32Array(count * dim);
  let off = 0;
  for (const p of parts) {
    features.set(p, off);
    off += p.length;
  }
  return { features, dim, step };
}

/**
 * Eval-mode projections of both branches for `objects`, 2B objects per job (the point encoder's
 * batch: one point forward and two image forwards, well under a training step's forward and
 * backward), one job per gap between two training steps, so a refresh never holds training up
 * for more than that. While training runs the chunks come from consecutive steps; `step` is the
 * last.
 */
export async function embedObjects(
  run: RunJob,
  objects: readonly number[],
  progress: Progress,
): Promise<{ set: EmbeddingSet; step: number }> {
  const task = 'Embedding the shapes';
  const parts: EmbeddingSet[] = [];
  let step = 0;
  for (let at = 0; at < objects.length; ) {
    const r = await run(async (e) => {
      const chunk = objects.slice(at, at + 2 * e.resolved.batch);
      return { set: await e.embed(chunk), n: chunk.length, step: e.step };
    });
    parts.push(r.set);
    at += r.n;
    step = r.step;
    progress(task, at, objects.length);
  }
  const dim = parts[0]?.dim ?? 0;
  const join = (pick: (p: EmbeddingSet) => Float32Array) => {
    const out = new Float32Array(objects.length * dim);
    let off = 0;
    for (const p of parts) {
      out.set(pick(p), off);
      off += pick(p).length;
    }
    return out;
  };
  return {
    set: {
      ids: parts.flatMap((p) => p.ids),
      labels: parts.flatMap((p) => p.labels),
      point: join((p) => p.point),
      image: join((p) => p.image),
      dim,
    },
    step,
  };
}
