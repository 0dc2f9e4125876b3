/**
 * The checkpoint naming conventions of the PyTorch reference (shared/reference/crosspoint-weights.md
 * §1.2, §6, §7): canonical `bnK.*` names with `convK.1.*` accepted as aliases, a missing
 * `num_batches_tracked` read as 0, `point_model.` / `img_model.` prefixes in combined files, and
 * a check of a tensor set against the names, shapes and dtypes a model expects.
 */
import type { SafeDtype, SafeTensor } from './safetensors';

export type StateDict = Map<string, SafeTensor>;

/** A checkpoint whose tensors do not fit the model; the message names the tensors. */
export class StateDictError extends Error {
  override name = 'StateDictError';
}

export type ModelPrefix = 'point_model' | 'img_model';
const PREFIXES: readonly ModelPrefix[] = ['point_model', 'img_model'];

/** convK.1.<field> is upstream's second name for bnK.<field> (the BN sits inside nn.Sequential). */
const ALIAS = /^conv([1-5])\.1\.(weight|bias|running_mean|running_var|num_batches_tracked)$/;

function sameTensor(a: SafeTensor, b: SafeTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    return false;
  }
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Canonical names for a model's tensors: each name `canonical` maps to another becomes that name
 * (if both are present their dtype, shape and bytes must be equal), and each BatchNorm with a
 * `running_mean` but no `num_batches_tracked` gets an I64 scalar 0. Keeps header order.
 */
export function canonicalizeStateDict(
  sd: StateDict,
  canonical: (name: string) => string | undefined,
): StateDict {
  const out: StateDict = new Map();
  for (const [name, t] of sd) {
    const canon = canonical(name);
    if (canon === undefined) {
      if (!out.has(name)) out.set(name, t);
      continue;
    }
    const other = sd.get(canon);
    if (other && !sameTensor(other, t)) {
      throw new StateDictError(`"${name}" and its alias "${canon}" are both present and differ`);
    }
    if (!out.has(canon)) out.set(canon, other ?? t);
  }
  for (const name of [...out.keys()]) {
    if (!name.endsWith('.running_mean')) continue;
    const counter = `${name.slice(0, -'running_mean'.length)}num_batches_tracked`;
    if (!out.has(counter)) out.set(counter, { dtype: 'I64', shape: [], data: new BigInt64Array(1) });
  }
  return out;
}

/** A point encoder's canonical names: every `convK.1.<field>` becomes `bnK.<field>` (canonicalizeStateDict). */
export function canonicalizePointStateDict(sd: StateDict): StateDict {
  return canonicalizeStateDict(sd, (name) => {
    const m = ALIAS.exec(name);
    return m ? `bn${m[1]}.${m[2]}` : undefined;
  });
}

/**
 * The tensors of one model from a file that is either bare (a single model, names as in §1) or
 * combined (names prefixed `point_model.` / `img_model.`): prefixed names are stripped. A
 * combined file without that model's prefix is an error naming the prefixes it has.
 */
export function selectModel(sd: StateDict, prefix: ModelPrefix): StateDict {
  const has = PREFIXES.filter((p) => [...sd.keys()].some((k) => k.startsWith(`${p}.`)));
  if (has.length === 0) return new Map(sd);
  if (!has.includes(prefix)) {
    throw new StateDictError(
      `the file holds ${has.map((p) => `${p}.*`).join(' and ')} tensors but no ${prefix}.*`,
    );
  }
  const out: StateDict = new Map();
  for (const [k, t] of sd) if (k.startsWith(`${prefix}.`)) out.set(k.slice(prefix.length + 1), t);
  return out;
}

/** Prefixes every name (for writing a file that holds both models). */
export function withPrefix(sd: StateDict, prefix: ModelPrefix): StateDict {
  return new Map([...sd].map(([k, t]) => [`${prefix}.${k}`, t]));
}

export interface ExpectedTensor {
  name: string;
  shape: readonly number[];
  dtype: SafeDtype;
}

export interface TensorCheck {
  ok: boolean;
  missing: string[];
  extra: string[];
  /** Present under the right name but with another shape or dtype. */
  mismatched: { name: string; expected: string; got: string }[];
  /** One line per problem, empty when ok. */
  message: string;
}

const describeT = (t: { shape: readonly number[]; dtype: string }) => `${t.dtype}[${t.shape.join(', ')}]`;

/** Compares a tensor set with what a model expects: missing, extra and mis-shaped names. */
export function checkTensors(sd: StateDict, expected: readonly ExpectedTensor[]): TensorCheck {
  const want = new Map(expected.map((e) => [e.name, e]));
  const missing = expected.filter((e) => !sd.has(e.name)).map((e) => e.name);
  const extra = [...sd.keys()].filter((k) => !want.has(k));
  const mismatched: TensorCheck['mismatched'] = [];
  for (const e of expected) {
    const t = sd.get(e.name);
    if (!t) continue;
    if (
      t.dtype !== e.dtype ||
      t.shape.length !== e.shape.length ||
      t.shape.some((d, i) => d !== e.shape[i])
    ) {
      mismatched.push({ name: e.name, expected: describeT(e), got: describeT(t) });
    }
  }
  const lines: string[] = [];
  if (missing.length) lines.push(`missing ${missing.length}: ${missing.join(', ')}`);
  if (extra.length) lines.push(`unexpected ${extra.length}: ${extra.join(', ')}`);
  for (const m of mismatched) lines.push(`${m.name}: expected ${m.expected}, got ${m.got}`);
  return { ok: lines.length === 0, missing, extra, mismatched, message: lines.join('\n') };
}

/** checkTensors, throwing a StateDictError with its message when anything is off. */
export function assertTensors(sd: StateDict, expected: readonly ExpectedTensor[]): void {
  const r = checkTensors(sd, expected);
  if (!r.ok) throw new StateDictError(`checkpoint does not fit the model:\n${r.message}`);
}

/**
 * The 39 canonical tensors of the DGCNN point encoder with its inv_head, in state_dict order
 * (crosspoint-weights.md §1). `embDims` is conv5's width (1024 upstream), the pooled feature is
 * 2·embDims, and inv_head is Linear(2·embDims → embDims), BN, ReLU, Linear(embDims → projDim).
 */
export function pointEncoderTensors(embDims = 1024, projDim = 256): ExpectedTensor[] {
  const bn = (p: string, c: number): ExpectedTensor[] => [
    ...['weight', 'bias', 'running_mean', 'running_var'].map((f) => ({
      name: `${p}.${f}`,
      shape: [c],
      dtype: 'F32' as const,
    })),
    { name: `${p}.num_batches_tracked`, shape: [], dtype: 'I64' },
  ];
  const f32 = (name: string, shape: number[]): ExpectedTensor => ({ name, shape, dtype: 'F32' });
  return [
    ...bn('bn1', 64),
    ...bn('bn2', 64),
    ...bn('bn3', 128),
    ...bn('bn4', 256),
    ...bn('bn5', embDims),
    f32('conv1.0.weight', [64, 6, 1, 1]),
    f32('conv2.0.weight', [64, 128, 1, 1]),
    f32('conv3.0.weight', [128, 128, 1, 1]),
    f32('conv4.0.weight', [256, 256, 1, 1]),
    f32('conv5.0.weight', [embDims, 512, 1]),
    f32('inv_head.0.weight', [embDims, 2 * embDims]),
    f32('inv_head.0.bias', [embDims]),
    ...bn('inv_head.1', embDims),
    f32('inv_head.3.weight', [projDim, embDims]),
    f32('inv_head.3.bias', [projDim]),
  ];
}

/**
 * Reads a point encoder from a parsed safetensors file (bare or combined), with aliases and
 * missing counters resolved, and checks it against pointEncoderTensors(embDims).
 */
export function pointEncoderStateDict(sd: StateDict, embDims = 1024, projDim = 256): StateDict {
  const canon = canonicalizePointStateDict(selectModel(sd, 'point_model'));
  assertTensors(canon, pointEncoderTensors(embDims, projDim));
  return canon;
}
