import { readSafetensors, type SafeTensor, SafetensorsError, writeSafetensors } from '../io/safetensors';
import {
  canonicalizePointStateDict,
  checkTensors,
  type StateDict,
  StateDictError,
  selectModel,
} from '../io/state-dict';
import { DGCNN_REFERENCE, type DgcnnConfig, dgcnnParamSpecs } from './dgcnn-config';
import { initialiseParams, numel, type ParamSpec } from './param-spec';
import type { HostTensors } from './param-store';
import { POINTNET_REFERENCE, type PointNetConfig, pointnetParamSpecs } from './pointnet';

/**
 * Point-encoder weights as safetensors with the PyTorch reference's names, shapes and dtypes
 * (crosspoint-weights.md §1, §6): F32 tensors with their PyTorch shapes (4-D / 3-D conv weights),
 * I64 scalars for num_batches_tracked, the config in `__metadata__`. Reading accepts `convK.1.*`
 * aliases of `bnK.*`, a missing counter (→ 0), and `point_model.`-prefixed combined files, and
 * refuses a missing, extra or mis-shaped tensor, naming it.
 */
export type EncoderModel =
  | { kind: 'dgcnn'; config: DgcnnConfig }
  | { kind: 'pointnet'; config: PointNetConfig };

/** A weights file that does not fit (or is not a safetensors file); one line, names the tensor. */
export class WeightsError extends Error {
  override name = 'WeightsError';
}

export function encoderParamSpecs(m: EncoderModel): ParamSpec[] {
  return m.kind === 'dgcnn' ? dgcnnParamSpecs(m.config) : pointnetParamSpecs(m.config);
}

/** Fresh weights with PyTorch's default initialisation, drawn from a seeded generator. */
export function freshWeights(m: EncoderModel, seed: number): HostTensors {
  return initialiseParams(encoderParamSpecs(m), seed);
}

/** `__metadata__` of our files: informational strings (readers ignore unknown keys). */
export function encoderMetadata(m: EncoderModel, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = { format: 'pt' };
  if (m.kind === 'dgcnn') {
    const c = m.config;
    Object.assign(base, {
      model: 'crosspoint-dgcnn',
      k: String(c.k),
      edge_widths: c.edgeWidths.join(','),
      emb_dims: String(c.emb),
      head_hidden: String(c.headHidden),
      proj_dims: String(c.proj),
    });
  } else {
    const c = m.config;
    Object.assign(base, {
      model: 'crosspoint-pointnet',
      widths: c.widths.join(','),
      emb_dims: String(c.emb),
      head_hidden: String(c.headHidden),
      proj_dims: String(c.proj),
    });
  }
  return { ...base, ...extra };
}

/** The tensors of a model as a state dict (spec order), ready for writeSafetensors. */
export function toStateDict(specs: readonly ParamSpec[], values: HostTensors): StateDict {
  const sd: StateDict = new Map();
  for (const s of specs) {
    const v = values.get(s.name);
    if (!v) throw new WeightsError(`no value for tensor "${s.name}"`);
    if (s.dtype === 'I64') {
      if (!(v instanceof BigInt64Array) || v.length !== 1)
        throw new WeightsError(`"${s.name}" must be one I64`);
      sd.set(s.name, { dtype: 'I64', shape: [], data: v });
    } else {
      if (!(v instanceof Float32Array) || v.length !== numel(s.shape)) {
        throw new WeightsError(`"${s.name}" must hold ${numel(s.shape)} float32 values`);
      }
      sd.set(s.name, { dtype: 'F32', shape: [...s.shape], data: v });
    }
  }
  return sd;
}

export function saveEncoderWeights(m: EncoderModel, values: HostTensors, extraMeta?: Record<string, string>) {
  return writeSafetensors(toStateDict(encoderParamSpecs(m), values), encoderMetadata(m, extraMeta));
}

/** Width of dimension `d` of tensor `name`, or undefined when absent or malformed. */
function dim(sd: StateDict, name: string, d: number): number | undefined {
  const t = sd.get(name);
  const v = t?.shape[d];
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/**
 * A DGCNN config from the tensor shapes (PyTorch files carry no config) and k from the metadata
 * (or `k`, or the reference's 20). Widths it cannot read fall back to the reference's, so the
 * tensor check that follows names what is wrong.
 */
export function inferDgcnnConfig(sd: StateDict, metadata: Record<string, string>, k?: number): DgcnnConfig {
  const r = DGCNN_REFERENCE;
  const metaK = Number.parseInt(metadata.k ?? '', 10);
  return {
    k: k ?? (Number.isInteger(metaK) && metaK > 0 ? metaK : r.k),
    edgeWidths: [1, 2, 3, 4].map((l) => dim(sd, `conv${l}.0.weight`, 0) ?? r.edgeWidths[l - 1]!) as [
      number,
      number,
      number,
      number,
    ],
    emb: dim(sd, 'conv5.0.weight', 0) ?? r.emb,
    headHidden: dim(sd, 'inv_head.0.weight', 0) ?? r.headHidden,
    proj: dim(sd, 'inv_head.3.weight', 0) ?? r.proj,
  };
}

export function inferPointNetConfig(sd: StateDict): PointNetConfig {
  const r = POINTNET_REFERENCE;
  return {
    widths: [1, 2, 3, 4].map((l) => dim(sd, `conv${l}.weight`, 0) ?? r.widths[l - 1]!) as [
      number,
      number,
      number,
      number,
    ],
    emb: dim(sd, 'conv5.weight', 0) ?? r.emb,
    headHidden: dim(sd, 'inv_head.0.weight', 0) ?? r.headHidden,
    proj: dim(sd, 'inv_head.3.weight', 0) ?? r.proj,
  };
}

export interface LoadedWeights {
  model: EncoderModel;
  values: HostTensors;
  metadata: Record<string, string>;
}

/**
 * Reads point-encoder weights. The model kind comes from `kind` (default: the metadata's
 * "model", else DGCNN); its config from the tensor shapes, or must equal `expect` when given.
 */
export function loadEncoderWeights(
  bytes: Uint8Array,
  opts: { kind?: 'dgcnn' | 'pointnet'; k?: number; expect?: EncoderModel } = {},
): LoadedWeights {
  let sd: StateDict;
  let metadata: Record<string, string>;
  try {
    const file = readSafetensors(bytes, { copy: true });
    metadata = file.metadata;
    sd = canonicalizePointStateDict(selectModel(file.tensors, 'point_model'));
  } catch (e) {
    if (e instanceof SafetensorsError || e instanceof StateDictError) throw new WeightsError(e.message);
    throw e;
  }
  const kind =
    opts.expect?.kind ?? opts.kind ?? (metadata.model === 'crosspoint-pointnet' ? 'pointnet' : 'dgcnn');
  const model: EncoderModel =
    opts.expect ??
    (kind === 'dgcnn'
      ? { kind, config: inferDgcnnConfig(sd, metadata, opts.k) }
      : { kind, config: inferPointNetConfig(sd) });
  const specs = encoderParamSpecs(model);
  const check = checkTensors(
    sd,
    specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
  );
  if (!check.ok)
    throw new WeightsError(
      `weights do not fit the ${model.kind} encoder: ${check.message.split('\n').join('; ')}`,
    );
  const values: HostTensors = new Map();
  for (const s of specs) {
    const t = sd.get(s.name) as SafeTensor;
    if (s.dtype === 'I64') values.set(s.name, BigInt64Array.from(t.data as BigInt64Array));
    else {
      const v = Float32Array.from(t.data as Float32Array);
      const bad = v.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new WeightsError(`tensor "${s.name}" holds a non-finite value at element ${bad}`);
      values.set(s.name, v);
    }
  }
  return { model, values, metadata };
}
