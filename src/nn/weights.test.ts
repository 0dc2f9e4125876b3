import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../io/safetensors';
import { DGCNN_REFERENCE, type DgcnnConfig, dgcnnParamSpecs } from './dgcnn-config';
import { numel } from './param-spec';
import { POINTNET_REFERENCE } from './pointnet';
import {
  type EncoderModel,
  freshWeights,
  loadEncoderWeights,
  saveEncoderWeights,
  WeightsError,
} from './weights';

const small: DgcnnConfig = { k: 5, edgeWidths: [4, 4, 8, 8], emb: 8, headHidden: 6, proj: 4 };

/**
 * An independent safetensors writer for the test: the header JSON written by hand, tensors in
 * the order given (not the library's), no header padding (so the data is unaligned), and the
 * data bytes written element by element through a DataView.
 */
function handWritten(tensors: HandTensor[], metadata?: Record<string, string>): Uint8Array {
  const size = (d: string) => (d === 'F32' ? 4 : 8);
  let off = 0;
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  for (const t of tensors) {
    const end = off + t.values.length * size(t.dtype);
    parts.push(
      `"${t.name}":{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${off},${end}]}`,
    );
    off = end;
  }
  const header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const out = new Uint8Array(8 + header.length + off);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, header.length, true);
  dv.setUint32(4, 0, true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const t of tensors) {
    for (const v of t.values) {
      if (t.dtype === 'F32') dv.setFloat32(at, v, true);
      else if (t.dtype === 'F64') dv.setFloat64(at, v, true);
      else dv.setBigInt64(at, BigInt(v), true);
      at += size(t.dtype);
    }
  }
  return out;
}

/** Every canonical tensor of `small` with values from a formula, as the hand writer's input. */
interface HandTensor {
  name: string;
  dtype: 'F32' | 'I64' | 'F64';
  shape: number[];
  values: number[];
}

/** Same typed array type and the same bytes (fast for the 2M-value reference model). */
function sameBytes(
  a: Float32Array | BigInt64Array | undefined,
  b: Float32Array | BigInt64Array,
  what: string,
) {
  expect(a?.constructor, what).toBe(b.constructor);
  const x = new Uint8Array(a!.buffer, a!.byteOffset, a!.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  expect(x.length, what).toBe(y.length);
  expect(
    x.every((v, i) => v === y[i]),
    what,
  ).toBe(true);
}

function canonicalTensors(c: DgcnnConfig): HandTensor[] {
  return dgcnnParamSpecs(c).map((s, ti) => ({
    name: s.name,
    dtype: s.dtype as 'F32' | 'I64',
    shape: s.shape,
    values: s.dtype === 'I64' ? [100 + ti] : Array.from({ length: numel(s.shape) }, (_, i) => ti + i / 1024),
  }));
}

describe('encoder weights (safetensors with the reference names)', () => {
  it('round trip: the reference DGCNN, names, PyTorch shapes, I64 counters and config metadata', () => {
    const m: EncoderModel = { kind: 'dgcnn', config: { ...DGCNN_REFERENCE, k: 15 } };
    const values = freshWeights(m, 3);
    values.set('bn2.num_batches_tracked', BigInt64Array.of(7n));
    const bytes = saveEncoderWeights(m, values);
    const raw = readSafetensors(bytes);
    expect(raw.tensors.size).toBe(39);
    expect(raw.tensors.get('conv1.0.weight')!.shape).toEqual([64, 6, 1, 1]);
    expect(raw.tensors.get('conv5.0.weight')!.shape).toEqual([1024, 512, 1]);
    expect(raw.tensors.get('bn5.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] });
    expect(raw.metadata).toMatchObject({
      format: 'pt',
      model: 'crosspoint-dgcnn',
      emb_dims: '1024',
      k: '15',
    });
    const back = loadEncoderWeights(bytes);
    expect(back.model).toEqual(m);
    expect([...back.values.keys()]).toEqual([...values.keys()]);
    for (const [name, v] of values) sameBytes(back.values.get(name), v, name);
  });

  it('round trip: PointNet', () => {
    const m: EncoderModel = { kind: 'pointnet', config: POINTNET_REFERENCE };
    const values = freshWeights(m, 4);
    const back = loadEncoderWeights(saveEncoderWeights(m, values));
    expect(back.model).toEqual(m);
    for (const [name, v] of values) sameBytes(back.values.get(name), v, name);
  });

  it('loads a file built byte by byte: point_model. prefix, convK.1 aliases, a missing counter, no metadata', () => {
    const ts = canonicalTensors(small)
      .reverse()
      .filter((t) => t.name !== 'bn4.num_batches_tracked')
      // bn2 only under its alias conv2.1.*; bn3 under both names.
      .map((t) => (t.name.startsWith('bn2.') ? { ...t, name: t.name.replace('bn2.', 'conv2.1.') } : t));
    ts.push(
      ...canonicalTensors(small)
        .filter((t) => t.name.startsWith('bn3.'))
        .map((t) => ({ ...t, name: t.name.replace('bn3.', 'conv3.1.') })),
    );
    const prefixed = ts.map((t) => ({ ...t, name: `point_model.${t.name}` }));
    // A combined file also holds the image model; the point encoder ignores it.
    prefixed.push({
      name: 'img_model.inv_head.0.weight',
      dtype: 'F32',
      shape: [2, 3],
      values: [1, 2, 3, 4, 5, 6],
    });
    const loaded = loadEncoderWeights(handWritten(prefixed));
    expect(loaded.model).toEqual({ kind: 'dgcnn', config: { ...small, k: 20 } }); // no k in the file
    for (const t of canonicalTensors(small)) {
      const v = loaded.values.get(t.name)!;
      if (t.name === 'bn4.num_batches_tracked') expect([...v]).toEqual([0n]);
      else if (t.dtype === 'I64') expect([...v]).toEqual([BigInt(t.values[0]!)]);
      else sameBytes(v, Float32Array.from(t.values), t.name);
    }
    expect(loadEncoderWeights(handWritten(canonicalTensors(small), { k: '9' })).model.config).toMatchObject({
      k: 9,
    });
    expect(
      loadEncoderWeights(handWritten(canonicalTensors(small), { k: '9' }), { k: 4 }).model.config,
    ).toMatchObject({ k: 4 });
  });

  it('refuses a missing, extra, mis-shaped or mis-typed tensor, naming it', () => {
    const base = canonicalTensors(small);
    const load = (ts: typeof base) => () => loadEncoderWeights(handWritten(ts));
    expect(load(base.filter((t) => t.name !== 'inv_head.3.bias'))).toThrow(/missing 1: inv_head\.3\.bias/);
    expect(load([...base, { name: 'linear1.weight', dtype: 'F32', shape: [1], values: [0] }])).toThrow(
      /unexpected 1: linear1\.weight/,
    );
    const flat = base.map((t) => (t.name === 'conv5.0.weight' ? { ...t, shape: [8, 24] } : t));
    expect(load(flat)).toThrow(/conv5\.0\.weight: expected F32\[8, 24, 1\], got F32\[8, 24\]/);
    const f64 = base.map((t): HandTensor => (t.name === 'bn1.weight' ? { ...t, dtype: 'F64' } : t));
    expect(load(f64)).toThrow(/bn1\.weight: expected F32\[4\], got F64\[4\]/);
    const nan = base.map((t) =>
      t.name === 'conv2.0.weight' ? { ...t, values: [Number.NaN, ...t.values.slice(1)] } : t,
    );
    expect(load(nan)).toThrow(/conv2\.0\.weight.*non-finite/);
    expect(() => loadEncoderWeights(new Uint8Array([1, 2, 3]))).toThrow(WeightsError);
    // One line, whatever the number of problems.
    try {
      load(base.filter((t) => !t.name.startsWith('bn1.')))();
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('checks a file against an expected model', () => {
    const bytes = handWritten(canonicalTensors(small));
    const other: EncoderModel = { kind: 'dgcnn', config: { ...small, emb: 16 } };
    expect(() => loadEncoderWeights(bytes, { expect: other })).toThrow(
      /bn5\.weight: expected F32\[16\], got F32\[8\]/,
    );
  });
});
