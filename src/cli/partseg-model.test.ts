import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { scratchDir } from '../../test/cli-fixtures';
import { toRefParams } from '../../test/encoder-testing';
import { expectClose } from '../../test/numeric';
import { PARTSEG_TINY, randomPartSegValues } from '../../test/partseg-testing';
import { readNpy, writeNpy } from '../io/npy';
import { readSafetensors } from '../io/safetensors';
import { partSegParamSpecs } from '../nn/dgcnn-partseg-config';
import { oneHotRef, partSegBackwardRef, partSegForwardRef } from '../nn/dgcnn-partseg.ref';
import { savePartSegWeights } from '../nn/partseg-weights';
import { toChannelMajor, toPointMajor } from '../nn/point-encoder-run';
import { Rng } from '../util/random';

const { dir, save } = scratchDir('crosspoint-partseg-model-');
const c = PARTSEG_TINY;
const values = randomPartSegValues(c, 12);
const weights = save('w.safetensors', savePartSegWeights(c, values));
const B = 3;
const N = 10;
const xyz = new Rng(13).normalArray(B * N * 3);
const input = save('x.npy', writeNpy(xyz, [B, N, 3]));
const labelsArr = Int32Array.from([2, 0, 1]);
const labels = save('l.npy', writeNpy(labelsArr, [B]));
const G = new Rng(14).uniformArray(B * c.parts * N, -1, 1);
const cot = save('g.npy', writeNpy(G, [B, c.parts, N]));
const npy = (p: string) => readNpy(readFileSync(p));
const x = toChannelMajor(xyz, B, N);
const onehot = oneHotRef(labelsArr, c.categories);

/** The graphs and winners the command wrote, against the reference's. */
function expectChoices(out: string, f: ReturnType<typeof partSegForwardRef>) {
  for (let q = 0; q < 4; q++) {
    const knn = npy(join(out, `knn.${q}.npy`));
    expect(knn).toMatchObject({ dtype: 'int32', shape: [B, N, c.k] });
    expect([...knn.data], `knn.${q}`).toEqual([...f.idx[q]!]);
  }
  for (const [name, m] of f.maxK) {
    const a = npy(join(out, `argmax.${name}.npy`));
    expect(a).toMatchObject({ dtype: 'int32', shape: [B, m.C, N] });
    expect([...a.data], name).toEqual([...m.arg]);
  }
  for (const [name, m] of f.maxN) {
    const a = npy(join(out, `argmax.${name}.npy`));
    expect(a).toMatchObject({ dtype: 'int32', shape: [B, m.C] });
    expect([...a.data], name).toEqual([...m.arg]);
  }
}

describe('crosspoint encode / grad --model partseg', () => {
  it('encode (eval): logits (B, parts, N), knn.0..3 and every arg-max, as the reference', () => {
    const out = join(dir, 'enc');
    const r = crosspoint([
      'encode',
      '--model',
      'partseg',
      ...['--input', input, '--labels', labels, '--weights', weights, '--k', '3', '--out', out],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = partSegForwardRef(c, B, N, x, onehot, toRefParams(values), 'eval');
    const logits = npy(join(out, 'logits.npy'));
    expect(logits).toMatchObject({ dtype: 'float32', shape: [B, c.parts, N] });
    expectClose(logits.data as Float32Array, f.logits, 1e-4, 1e-3, 'logits');
    expectChoices(out, f);
  });

  it('grad: training-mode gradients of Σ logits ⊙ G for every parameter and the points', () => {
    const out = join(dir, 'grad');
    const r = crosspoint([
      'grad',
      '--model',
      'partseg',
      ...['--input', input, '--labels', labels, '--cotangent', cot, '--weights', weights, '--out', out],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = toRefParams(values);
    const f = partSegForwardRef(c, B, N, x, onehot, p, 'train');
    const b = partSegBackwardRef(c, B, N, x, p, f, G, 'train');
    const file = readSafetensors(readFileSync(join(out, 'grads.safetensors')));
    const trainable = partSegParamSpecs(c).filter((s) => s.trainable);
    expect([...file.tensors.keys()].sort()).toEqual([...trainable.map((s) => s.name), 'input'].sort());
    for (const s of trainable) {
      const t = file.tensors.get(s.name)!;
      expect(t.shape, s.name).toEqual(s.shape);
      const want = b.grads.get(s.name)!;
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expectClose(t.data as Float32Array, want, 1e-5 + 2e-4 * scale, 2e-3, s.name);
    }
    const dIn = toPointMajor(Float32Array.from(b.dInput), B, N);
    const scale = dIn.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(file.tensors.get('input')!.shape).toEqual([B, N, 3]);
    expectClose(file.tensors.get('input')!.data as Float32Array, dIn, 1e-5 + 2e-4 * scale, 2e-3, 'points');
    expectChoices(out, f);
  });

  it('refuses categories out of range, a label count that differs, a mis-shaped cotangent and k above the points', () => {
    const bad = (args: string[], msg: RegExp) => {
      const r = crosspoint([
        'encode',
        '--model',
        'partseg',
        '--input',
        input,
        '--weights',
        weights,
        '--out',
        join(dir, 'x'),
        ...args,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    };
    bad(
      ['--labels', save('l3.npy', writeNpy(Int32Array.from([0, 3, 1]), [B]))],
      /category 3 of cloud 1 is outside 0…2/,
    );
    bad(['--labels', save('l2.npy', writeNpy(Int32Array.from([0, 1]), [2]))], /2 categories for 3 clouds/);
    bad(['--labels', labels, '--k', '11'], /10 points per cloud are fewer than k = 11/);
    const g = crosspoint([
      'grad',
      '--model',
      'partseg',
      ...['--input', input, '--labels', labels, '--weights', weights, '--out', join(dir, 'y')],
      ...['--cotangent', save('g2.npy', writeNpy(new Float32Array(B * N), [B, N]))],
    ]);
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/G must have shape \[3, 4, 10\], got \[3, 10\]/);
  });

  it('export-onnx --model partseg: onnxruntime gives the reference logits from points and the category one-hot', async () => {
    const out = join(dir, 'partseg.onnx');
    const r = crosspoint([
      'export-onnx',
      '--model',
      'partseg',
      ...['--weights', weights, '--points', String(N), '--batch', String(B), '--out', out],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ k: 3, inputs: { points: [B, 3, N], category: [B, 3] } });
    const session = await ort.InferenceSession.create(readFileSync(out), { executionProviders: ['wasm'] });
    try {
      const res = await session.run({
        points: new ort.Tensor('float32', x, [B, 3, N]),
        category: new ort.Tensor('float32', onehot, [B, c.categories]),
      });
      const f = partSegForwardRef(c, B, N, x, onehot, toRefParams(values), 'eval');
      expectClose(res.logits!.data as Float32Array, f.logits, 1e-4, 1e-3, 'logits');
    } finally {
      await session.release();
    }
  });

  it('plan --model partseg: bytes of a training step at the reference size against the naive formulation', () => {
    const r = crosspoint(['plan', '--model', 'partseg']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({
      model: 'partseg',
      batch: 32,
      points: 2048,
      k: 40,
      oneEdgeTensor128: '1.25 GiB',
    });
    expect(plan.ours.bytes.total).toBeGreaterThan(0);
    expect(plan.naiveOverOurs).toBeCloseTo(plan.naive.bytes.total / plan.ours.bytes.total, 2);
    // The fused EdgeConv blocks store no per-edge tensor: the step fits several times over in the
    // naive one's memory, and no buffer reaches the 1 GiB binding limit of many adapters (a
    // kernel's scratch counts as one buffer here, its sum).
    expect(plan.naiveOverOurs).toBeGreaterThan(4);
    expect(plan.largestBuffer.bytes).toBeLessThan(1024 ** 3);
  });
});
