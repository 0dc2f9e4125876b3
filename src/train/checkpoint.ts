import { readSafetensors, type SafeTensor, writeSafetensors } from '../io/safetensors';
import type { HostTensors } from '../nn/param-store';
import type { ParamSpec } from '../nn/param-spec';
import { decodeHistory, encodeHistory, type MetricsHistory } from './metrics-history';
import type { TrainConfig } from './trainer-api';

/** Everything needed to resume training exactly where it stopped. */
export interface CheckpointState {
  config: TrainConfig;
  /** Steps taken (the next step is step + 1). */
  step: number;
  /** State of the trainer's random generator (batch order and augmentation draws). */
  rng: number[];
  point: HostTensors;
  image: HostTensors;
  /** Adam moments per trainable tensor, by model-prefixed name. */
  exp_avg: Map<string, Float32Array>;
  exp_avg_sq: Map<string, Float32Array>;
  /** The curves up to `step` (metadata "metrics_history"; absent in older checkpoints). */
  history?: MetricsHistory;
}

export const CHECKPOINT_FORMAT = 'crosspoint-playground/1';

/** Reference layout (crosspoint-weights.md §7): point_model.<name>, img_model.<name>; optimizer state beside them. */
export function encodeCheckpoint(
  s: CheckpointState,
  pointSpecs: readonly ParamSpec[],
  imageSpecs: readonly ParamSpec[],
  /** Extra informational metadata (k, emb_dims, points: what encoder-only readers look for). */
  extra: Record<string, string> = {},
) {
  const tensors = new Map<string, SafeTensor>();
  const put = (prefix: string, specs: readonly ParamSpec[], values: HostTensors) => {
    for (const spec of specs) {
      const v = values.get(spec.name);
      if (!v) throw new Error(`checkpoint: no value for ${prefix}.${spec.name}`);
      tensors.set(`${prefix}.${spec.name}`, { dtype: spec.dtype, shape: spec.shape, data: v });
    }
  };
  put('point_model', pointSpecs, s.point);
  put('img_model', imageSpecs, s.image);
  for (const [kind, map] of [
    ['exp_avg', s.exp_avg],
    ['exp_avg_sq', s.exp_avg_sq],
  ] as const) {
    for (const [name, data] of map)
      tensors.set(`optimizer.${name}.${kind}`, { dtype: 'F32', shape: [data.length], data });
  }
  return writeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    model: 'crosspoint-dgcnn',
    config: JSON.stringify(s.config),
    step: String(s.step),
    rng: JSON.stringify(s.rng),
    ...(s.history ? { metrics_history: encodeHistory(s.history) } : {}),
    ...extra,
  });
}

/**
 * The training settings a checkpoint was written with, read from its header only (no tensors):
 * undefined when the bytes are not a checkpoint of this app. The page reads them before loading
 * a file or resuming an autosave, so the run comes back with its own settings.
 */
export function checkpointSettings(bytes: Uint8Array): { config: TrainConfig; step: number } | undefined {
  if (bytes.byteLength < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (!(n > 0) || 8 + n > bytes.byteLength) return undefined;
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as {
      __metadata__?: Record<string, string>;
    };
    const md = header.__metadata__;
    if (md?.format !== CHECKPOINT_FORMAT || !md.config) return undefined;
    return { config: JSON.parse(md.config) as TrainConfig, step: Number(md.step ?? 0) };
  } catch {
    return undefined;
  }
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Reads a checkpoint written by encodeCheckpoint, checking every model tensor's name and shape. */
export function decodeCheckpoint(
  bytes: Uint8Array,
  specsFor: (config: TrainConfig) => { point: readonly ParamSpec[]; image: readonly ParamSpec[] },
): CheckpointState {
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes, { copy: true });
  } catch (e) {
    throw new CheckpointError(`not a readable checkpoint: ${(e as Error).message}`);
  }
  const md = file.metadata;
  if (md.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `not a training checkpoint of this app (format "${md.format ?? 'none'}"); ` +
        'encoder-only weights load with the encode/grad/eval commands instead',
    );
  }
  const config = JSON.parse(md.config ?? '{}') as TrainConfig;
  const specs = specsFor(config);
  const take = (prefix: string, list: readonly ParamSpec[]) => {
    const out: HostTensors = new Map();
    for (const spec of list) {
      const t = file.tensors.get(`${prefix}.${spec.name}`);
      if (!t) throw new CheckpointError(`checkpoint lacks ${prefix}.${spec.name}`);
      const want = spec.shape.join(',');
      if (t.shape.join(',') !== want || t.dtype !== spec.dtype) {
        throw new CheckpointError(
          `${prefix}.${spec.name} is ${t.dtype}[${t.shape}] but the model needs ${spec.dtype}[${want}]`,
        );
      }
      out.set(spec.name, t.data as Float32Array | BigInt64Array);
    }
    return out;
  };
  const moments = (kind: 'exp_avg' | 'exp_avg_sq') => {
    const m = new Map<string, Float32Array>();
    const suffix = `.${kind}`;
    for (const [name, t] of file.tensors) {
      if (name.startsWith('optimizer.') && name.endsWith(suffix)) {
        m.set(name.slice('optimizer.'.length, -suffix.length), t.data as Float32Array);
      }
    }
    return m;
  };
  return {
    config,
    step: Number(md.step ?? 0),
    rng: JSON.parse(md.rng ?? '[]') as number[],
    point: take('point_model', specs.point),
    image: take('img_model', specs.image),
    exp_avg: moments('exp_avg'),
    exp_avg_sq: moments('exp_avg_sq'),
    history: decodeHistory(md.metrics_history),
  };
}
