import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { toRefParams } from '../../../test/encoder-testing';
import { expectClose } from '../../../test/numeric';
import { PARTSEG_TINY, randomPartSegValues } from '../../../test/partseg-testing';
import { oneHotRef, partSegForwardRef } from '../../nn/dgcnn-partseg.ref';
import { Rng } from '../../util/random';
import { buildPartSegOnnx } from './partseg-onnx';

describe('ONNX export of DGCNN_partseg (eval mode)', () => {
  it('onnxruntime gives the reference logits and graphs, from points and a category one-hot', async () => {
    const c = PARTSEG_TINY;
    const B = 2;
    const N = 12;
    const v = randomPartSegValues(c, 41);
    // BN scales of both signs where a max follows (the export folds BN before it).
    const rng = new Rng(42);
    for (const bn of ['transform_net.bn2', 'bn2', 'bn4', 'bn5', 'bn6', 'transform_net.conv3.1']) {
      const gamma = v.get(`${bn}.weight`) as Float32Array;
      for (let i = 0; i < gamma.length; i++) if (rng.next() < 0.3) gamma[i] = -gamma[i]!;
    }
    const x = rng.normalArray(B * 3 * N);
    const labels = [1, 2];
    const onehot = oneHotRef(labels, c.categories);
    const bytes = buildPartSegOnnx(c, v, { batch: B, points: N, knnOutputs: true });
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    try {
      const out = await session.run({
        points: new ort.Tensor('float32', x, [B, 3, N]),
        category: new ort.Tensor('float32', onehot, [B, c.categories]),
      });
      const f = partSegForwardRef(c, B, N, x, onehot, toRefParams(v), 'eval');
      for (let q = 0; q < 4; q++) {
        const got = Array.from(out[`knn${q}`]!.data as BigInt64Array, Number);
        expect(got, `knn${q}`).toEqual([...f.idx[q]!]);
      }
      expect(out.logits!.dims).toEqual([B, c.parts, N]);
      const big = f.logits.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
      expectClose(out.logits!.data as Float32Array, f.logits, 1e-5 + 1e-4 * big, 1e-3, 'logits');
    } finally {
      await session.release();
    }
  });
});
