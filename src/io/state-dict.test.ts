import { describe, expect, it } from 'vitest';
import { readSafetensors, type SafeTensor, writeSafetensors } from './safetensors';
import {
  canonicalizePointStateDict,
  checkTensors,
  pointEncoderStateDict,
  pointEncoderTensors,
  type StateDict,
  StateDictError,
  selectModel,
  withPrefix,
} from './state-dict';

/** A random-valued state dict with exactly the expected names, shapes and dtypes. */
function fakePointEncoder(embDims: number): StateDict {
  const sd: StateDict = new Map();
  let v = 0;
  for (const e of pointEncoderTensors(embDims)) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    const data =
      e.dtype === 'I64'
        ? new BigInt64Array([BigInt(v++)])
        : Float32Array.from({ length: n }, () => (v++ % 97) / 7);
    sd.set(e.name, { dtype: e.dtype, shape: [...e.shape], data });
  }
  return sd;
}

const f32 = (...v: number[]): SafeTensor => ({ dtype: 'F32', shape: [v.length], data: new Float32Array(v) });

describe('pointEncoderTensors', () => {
  it('lists the 39 canonical tensors with the reference totals', () => {
    const spec = pointEncoderTensors();
    expect(spec).toHaveLength(39);
    const floats = spec
      .filter((e) => e.dtype === 'F32')
      .reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0);
    expect(floats).toBe(2_985_600);
    expect(spec.filter((e) => e.dtype === 'I64').map((e) => e.name)).toEqual([
      'bn1.num_batches_tracked',
      'bn2.num_batches_tracked',
      'bn3.num_batches_tracked',
      'bn4.num_batches_tracked',
      'bn5.num_batches_tracked',
      'inv_head.1.num_batches_tracked',
    ]);
  });
});

describe('canonicalizePointStateDict', () => {
  it('maps convK.1.* aliases to bnK.* and keeps equal duplicates once', () => {
    const sd: StateDict = new Map([
      ['conv2.1.weight', f32(1, 2)],
      ['bn1.bias', f32(3)],
      ['conv1.1.bias', f32(3)],
      ['conv1.0.weight', f32(9)],
    ]);
    const c = canonicalizePointStateDict(sd);
    expect([...c.keys()]).toEqual(['bn2.weight', 'bn1.bias', 'conv1.0.weight']);
    expect(Array.from(c.get('bn2.weight')!.data as Float32Array)).toEqual([1, 2]);
  });

  it('refuses an alias that differs from its canonical tensor', () => {
    const sd: StateDict = new Map([
      ['bn3.running_var', f32(1, 2)],
      ['conv3.1.running_var', f32(1, 2.5)],
    ]);
    expect(() => canonicalizePointStateDict(sd)).toThrow(StateDictError);
    expect(() => canonicalizePointStateDict(sd)).toThrow(
      '"conv3.1.running_var" and its alias "bn3.running_var"',
    );
  });

  it('adds a missing num_batches_tracked as I64 0', () => {
    const c = canonicalizePointStateDict(new Map([['inv_head.1.running_mean', f32(0)]]));
    const n = c.get('inv_head.1.num_batches_tracked')!;
    expect(n.dtype).toBe('I64');
    expect(n.shape).toEqual([]);
    expect(Array.from(n.data as BigInt64Array)).toEqual([0n]);
  });
});

describe('selectModel and withPrefix', () => {
  const point = new Map([['inv_head.0.weight', f32(1)]]);
  const img = new Map([['inv_head.0.weight', f32(2)]]);

  it('splits a combined file by prefix and passes a bare file through', () => {
    const both: StateDict = new Map([...withPrefix(point, 'point_model'), ...withPrefix(img, 'img_model')]);
    expect([...both.keys()]).toEqual(['point_model.inv_head.0.weight', 'img_model.inv_head.0.weight']);
    expect(Array.from(selectModel(both, 'img_model').get('inv_head.0.weight')!.data as Float32Array)).toEqual(
      [2],
    );
    expect(
      Array.from(selectModel(both, 'point_model').get('inv_head.0.weight')!.data as Float32Array),
    ).toEqual([1]);
    expect(selectModel(point, 'point_model')).toEqual(point);
  });

  it('names what a combined file holds when the model is absent', () => {
    expect(() => selectModel(withPrefix(img, 'img_model'), 'point_model')).toThrow(
      'the file holds img_model.* tensors but no point_model.*',
    );
  });
});

describe('checkTensors', () => {
  it('reports missing, extra and mis-shaped tensors by name', () => {
    const sd = fakePointEncoder(32);
    sd.delete('bn4.bias');
    sd.set('linear1.weight', f32(0));
    sd.set('conv5.0.weight', { dtype: 'F32', shape: [32, 512], data: new Float32Array(32 * 512) });
    sd.set('bn2.num_batches_tracked', { dtype: 'I32', shape: [], data: new Int32Array(1) });
    const r = checkTensors(sd, pointEncoderTensors(32));
    expect(r.ok).toBe(false);
    expect(r.missing).toEqual(['bn4.bias']);
    expect(r.extra).toEqual(['linear1.weight']);
    expect(r.mismatched).toEqual([
      { name: 'bn2.num_batches_tracked', expected: 'I64[]', got: 'I32[]' },
      { name: 'conv5.0.weight', expected: 'F32[32, 512, 1]', got: 'F32[32, 512]' },
    ]);
    expect(r.message).toContain('missing 1: bn4.bias');
    expect(r.message).toContain('conv5.0.weight: expected F32[32, 512, 1], got F32[32, 512]');
    expect(checkTensors(fakePointEncoder(32), pointEncoderTensors(32))).toMatchObject({
      ok: true,
      message: '',
    });
  });
});

describe('pointEncoderStateDict through a safetensors file', () => {
  it('loads an upstream-style file (aliases, no counters, prefixed) into the canonical set', () => {
    const canon = fakePointEncoder(16);
    // Upstream-style: every bnK.* also as convK.1.*, counters of bn5 dropped, combined-file prefix.
    const upstream: StateDict = new Map();
    for (const [k, t] of canon) {
      if (k === 'bn5.num_batches_tracked') continue;
      upstream.set(k, t);
      const m = /^bn(\d)\.(.*)$/.exec(k);
      if (m) upstream.set(`conv${m[1]}.1.${m[2]}`, t);
    }
    expect(upstream.size).toBe(39 - 1 + 24);
    const file = writeSafetensors(withPrefix(upstream, 'point_model'), { format: 'pt' });
    const sd = pointEncoderStateDict(readSafetensors(file).tensors, 16);
    expect(sd.size).toBe(39);
    expect(Array.from(sd.get('bn5.num_batches_tracked')!.data as BigInt64Array)).toEqual([0n]);
    for (const [k, t] of canon) {
      if (k === 'bn5.num_batches_tracked') continue;
      expect(Array.from(sd.get(k)!.data as ArrayLike<number>), k).toEqual(
        Array.from(t.data as ArrayLike<number>),
      );
    }
  });

  it('throws naming the tensors when the file is for another width', () => {
    const file = writeSafetensors(fakePointEncoder(16));
    expect(() => pointEncoderStateDict(readSafetensors(file).tensors, 32)).toThrow(
      /bn5\.weight: expected F32\[32\], got F32\[16\]/,
    );
  });
});
