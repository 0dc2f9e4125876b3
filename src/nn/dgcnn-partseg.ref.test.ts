import { describe, expect, it } from 'vitest';
import { PARTSEG_TINY, randomPartSegValues } from '../../test/partseg-testing';
import { toRefParams } from '../../test/encoder-testing';
import { expectGradientMatchesDifferences } from '../../test/numeric';
import { Rng } from '../util/random';
import { partSegParamSpecs } from './dgcnn-partseg-config';
import { oneHotRef, partSegBackwardRef, partSegForwardRef } from './dgcnn-partseg.ref';

// The float64 part-segmentation reference against its own finite differences: the analytic
// backward the GPU model is compared with must itself be right.
describe('DGCNN_partseg reference (float64)', () => {
  const c = PARTSEG_TINY;
  const B = 3;
  const N = 7;
  const p = toRefParams(randomPartSegValues(c, 31));
  const rng = new Rng(32);
  const x = Float64Array.from(rng.normalArray(B * 3 * N));
  const onehot = oneHotRef([2, 0, 2], c.categories);
  const dl = rng.uniformArray(B * c.parts * N, -1, 1);

  const cases = [
    ['train', undefined],
    ['train', { seed: 5, step: 2 }],
    ['eval', undefined],
  ] as const;
  it.each(cases)(
    '%s (dropout %j): backward matches central differences on every tensor and the points',
    (mode, dropout) => {
      const opts = dropout ? { dropout } : {};
      const base = partSegForwardRef(c, B, N, x, onehot, p, mode, opts);
      const fixedIdx = base.idx;
      const loss = () => {
        const f = partSegForwardRef(c, B, N, x, onehot, p, mode, { ...opts, fixedIdx });
        return f.logits.reduce((a, v, i) => a + v * dl[i]!, 0);
      };
      const g = partSegBackwardRef(c, B, N, x, p, base, dl, mode);
      expect([...g.grads.keys()].sort()).toEqual(
        partSegParamSpecs(c)
          .filter((s) => s.trainable)
          .map((s) => s.name)
          .sort(),
      );
      const probe = (arr: Float64Array, grad: ArrayLike<number>, name: string) =>
        expectGradientMatchesDifferences(loss, arr, grad, {
          what: `${mode} ${name}`,
          samples: 4,
          seed: 3,
          eps: 1e-6,
          atol: 1e-6,
          rtol: 1e-4,
        });
      probe(x, g.dInput, 'input points');
      for (const [name, gr] of g.grads) probe(p.get(name) as Float64Array, gr, name);
    },
  );

  it.each(['train', 'eval'] as const)(
    'dgcnn_seg (pretrain, %s): inv_head on g; backward matches central differences',
    (mode) => {
      const opts = { model: 'pretrain' as const };
      const base = partSegForwardRef(c, B, N, x, onehot, p, mode, opts);
      expect(base.head!.y.length).toBe(B * c.proj);
      const dp = rng.uniformArray(B * c.proj, -1, 1);
      const loss = () =>
        partSegForwardRef(c, B, N, x, onehot, p, mode, { ...opts, fixedIdx: base.idx }).head!.y.reduce(
          (a, v, i) => a + v * dp[i]!,
          0,
        );
      const g = partSegBackwardRef(c, B, N, x, p, base, dp, mode);
      expect([...g.grads.keys()].sort()).toEqual(
        partSegParamSpecs(c, 'pretrain')
          .filter((s) => s.trainable)
          .map((s) => s.name)
          .sort(),
      );
      for (const [name, gr] of [...g.grads, ['points', g.dInput] as const]) {
        const arr = name === 'points' ? x : (p.get(name) as Float64Array);
        expectGradientMatchesDifferences(loss, arr, gr, {
          what: `pretrain ${mode} ${name}`,
          samples: 3,
          seed: 5,
          eps: 1e-6,
          atol: 1e-6,
          rtol: 1e-4,
        });
      }
    },
  );

  it('shapes, graphs and the transform', () => {
    const f = partSegForwardRef(c, B, N, x, onehot, p, 'eval');
    expect(f.logits.length).toBe(B * c.parts * N);
    expect(f.idx.map((i) => i.length)).toEqual([1, 2, 3, 4].map(() => B * N * c.k));
    // Self first in every row of the two graphs of (distinct) points.
    for (const idx of f.idx.slice(0, 2)) for (let r = 0; r < B * N; r++) expect(idx[r * c.k]).toBe(r % N);
    // The transform net's graph is of the raw points, EdgeConv A's of the transformed ones.
    expect(f.xt).not.toEqual(x);
    expect([...f.maxK.keys()]).toEqual(['transform_net.conv2', 'conv2', 'conv4', 'conv5']);
    expect([...f.maxN.keys()]).toEqual(['transform_net.conv3', 'conv6']);
  });
});
