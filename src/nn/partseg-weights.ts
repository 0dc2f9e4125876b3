import { readSafetensors, SafetensorsError, writeSafetensors } from '../io/safetensors';
import {
  canonicalizeStateDict,
  checkTensors,
  type StateDict,
  StateDictError,
  selectModel,
} from '../io/state-dict';
import {
  PARTSEG_REFERENCE,
  type PartSegConfig,
  type PartSegMode,
  partSegAliases,
  partSegParamSpecs,
} from './dgcnn-partseg-config';
import { initialiseParams } from './param-spec';
import type { HostTensors } from './param-store';
import { toStateDict, WeightsError } from './weights';

/**
 * Part-segmentation weights as safetensors with the reference's state_dict names
 * (src/nn/dgcnn-partseg-config.ts: aliases removed, the transform net's bn3 quirk kept), its
 * shapes and dtypes. Reading accepts the `conv{i}.1.*` / `transform_net.conv{1,2}.1.*` aliases
 * (equal bytes when both are present), a missing num_batches_tracked (→ 0) and `point_model.`
 * prefixes. With `strict: false` it loads like PyTorch's load_state_dict(strict=False): tensors the
 * file lacks keep fresh values (seeded) and are reported, names the model lacks are reported and
 * ignored; a tensor with the wrong shape is an error either way, as in PyTorch.
 */

export interface PartSegWeights {
  config: PartSegConfig;
  values: HostTensors;
  metadata: Record<string, string>;
  /** Model tensors the file lacked (strict = false): they hold fresh initial values. */
  missing: string[];
  /** File tensors the model has no place for (strict = false): ignored. */
  unexpected: string[];
}

export function partSegMetadata(c: PartSegConfig, mode: PartSegMode, extra: Record<string, string> = {}) {
  return {
    format: 'pt',
    model: mode === 'segment' ? 'crosspoint-dgcnn-partseg' : 'crosspoint-dgcnn-seg-pretrain',
    k: String(c.k),
    tnet_widths: c.tnet.join(','),
    edge_width: String(c.edge),
    emb_dims: String(c.emb),
    categories: String(c.categories),
    category_width: String(c.category),
    head_widths: c.head.join(','),
    parts: String(c.parts),
    dropout: String(c.dropout),
    ...extra,
  };
}

export function savePartSegWeights(
  c: PartSegConfig,
  values: HostTensors,
  mode: PartSegMode = 'segment',
  extraMeta?: Record<string, string>,
): Uint8Array {
  return writeSafetensors(
    toStateDict(partSegParamSpecs(c, mode), values),
    partSegMetadata(c, mode, extraMeta),
  );
}

/** Canonical names: aliases folded (equal bytes required), missing BN counters added as 0. */
export function canonicalizePartSegStateDict(sd: StateDict, aliases: ReadonlyMap<string, string>): StateDict {
  return canonicalizeStateDict(sd, (name) => aliases.get(name));
}

function dim(sd: StateDict, name: string, d: number): number | undefined {
  const v = sd.get(name)?.shape[d];
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/** The config from tensor shapes (PyTorch files carry none); k from `k`, the metadata, else 40. */
export function inferPartSegConfig(
  sd: StateDict,
  metadata: Record<string, string>,
  k?: number,
): PartSegConfig {
  const r = PARTSEG_REFERENCE;
  const metaK = Number.parseInt(metadata.k ?? '', 10);
  const metaDrop = Number.parseFloat(metadata.dropout ?? '');
  const t = 'transform_net';
  return {
    k: k ?? (Number.isInteger(metaK) && metaK > 0 ? metaK : r.k),
    tnet: [
      dim(sd, `${t}.conv1.0.weight`, 0) ?? r.tnet[0],
      dim(sd, `${t}.conv2.0.weight`, 0) ?? r.tnet[1],
      dim(sd, `${t}.conv3.0.weight`, 0) ?? r.tnet[2],
      dim(sd, `${t}.linear1.weight`, 0) ?? r.tnet[3],
      dim(sd, `${t}.linear2.weight`, 0) ?? r.tnet[4],
    ],
    edge: dim(sd, 'conv1.0.weight', 0) ?? r.edge,
    emb: dim(sd, 'conv6.0.weight', 0) ?? r.emb,
    categories: dim(sd, 'conv7.0.weight', 1) ?? r.categories,
    category: dim(sd, 'bn7.weight', 0) ?? r.category,
    head: [
      dim(sd, 'bn8.weight', 0) ?? r.head[0],
      dim(sd, 'bn9.weight', 0) ?? r.head[1],
      dim(sd, 'bn10.weight', 0) ?? r.head[2],
    ],
    parts: dim(sd, 'conv11.weight', 0) ?? r.parts,
    dropout: metaDrop >= 0 && metaDrop < 1 ? metaDrop : r.dropout,
    headHidden: dim(sd, 'inv_head.0.weight', 0) ?? r.headHidden,
    proj: dim(sd, 'inv_head.3.weight', 0) ?? r.proj,
  };
}

/**
 * Reads part-segmentation weights (mode 'segment', default) or the encoder of a `dgcnn_seg`
 * pretraining checkpoint (mode 'pretrain'). The config comes from the shapes, or must equal
 * `expect`. strict (default true) refuses missing and unexpected tensors, naming them.
 */
export function loadPartSegWeights(
  bytes: Uint8Array,
  opts: { mode?: PartSegMode; k?: number; expect?: PartSegConfig; strict?: boolean; seed?: number } = {},
): PartSegWeights {
  const mode = opts.mode ?? 'segment';
  const strict = opts.strict ?? true;
  let raw: StateDict;
  let metadata: Record<string, string>;
  try {
    const file = readSafetensors(bytes, { copy: true });
    metadata = file.metadata;
    raw = selectModel(file.tensors, 'point_model');
  } catch (e) {
    if (e instanceof SafetensorsError || e instanceof StateDictError) throw new WeightsError(e.message);
    throw e;
  }
  const guess = opts.expect ?? inferPartSegConfig(raw, metadata, opts.k);
  let sd: StateDict;
  try {
    sd = canonicalizePartSegStateDict(raw, partSegAliases(guess, mode));
  } catch (e) {
    if (e instanceof StateDictError) throw new WeightsError(e.message);
    throw e;
  }
  const config = opts.expect ?? inferPartSegConfig(sd, metadata, opts.k);
  const specs = partSegParamSpecs(config, mode);
  const check = checkTensors(
    sd,
    specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype })),
  );
  const what = mode === 'segment' ? 'the part-segmentation model' : 'the dgcnn_seg encoder';
  const shapeProblems = check.mismatched.map((m) => `${m.name}: expected ${m.expected}, got ${m.got}`);
  if (strict ? !check.ok : shapeProblems.length > 0) {
    const lines = strict ? check.message.split('\n') : shapeProblems;
    throw new WeightsError(`weights do not fit ${what}: ${lines.join('; ')}`);
  }
  const fresh = initialiseParams(specs, opts.seed ?? 0);
  const values: HostTensors = new Map();
  for (const s of specs) {
    const t = sd.get(s.name);
    if (!t) {
      values.set(s.name, fresh.get(s.name)!);
      continue;
    }
    if (s.dtype === 'I64') values.set(s.name, BigInt64Array.from(t.data as BigInt64Array));
    else {
      const v = Float32Array.from(t.data as Float32Array);
      const bad = v.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new WeightsError(`tensor "${s.name}" holds a non-finite value at element ${bad}`);
      values.set(s.name, v);
    }
  }
  return { config, values, metadata, missing: check.missing, unexpected: check.extra };
}
