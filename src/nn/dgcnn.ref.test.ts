import { describe, expect, it } from 'vitest';
import { expectGradientMatchesDifferences } from '../../test/numeric';
import { Rng } from '../util/random';
import { type DgcnnConfig, dgcnnParamSpecs } from './dgcnn-config';
import { dgcnnBackwardRef, dgcnnForwardRef } from './dgcnn.ref';
import { randomModelValues, toRefParams } from '../../test/encoder-testing';

// The float64 DGCNN reference (src/nn/dgcnn.ref.ts) against its own finite differences: the
// analytic backward the GPU encoder is compared with must itself be right.
describe('DGCNN reference (naive edge tensor, float64)', () => {
  const c: DgcnnConfig = { k: 3, edgeWidths: [4, 3, 5, 4], emb: 6, headHidden: 5, proj: 4 };
  const B = 2;
  const N = 7;
  const p = toRefParams(randomModelValues(dgcnnParamSpecs(c), 21));
  const rng = new Rng(22);
  const x = Float64Array.from(rng.normalArray(B * 3 * N));
  const dp = rng.uniformArray(B * c.proj);
  const df = rng.uniformArray(B * 2 * c.emb);

  for (const mode of ['train', 'eval'] as const) {
    it(`${mode}: backward matches central differences on every tensor and the points`, () => {
      const base = dgcnnForwardRef(c, B, N, x, p, mode);
      const idx = base.layers.map((l) => l.idx);
      // Loss = Σ projections ⊙ G + Σ features ⊙ F, with the kNN graphs held constant.
      const loss = () => {
        const f = dgcnnForwardRef(c, B, N, x, p, mode, idx);
        let s = 0;
        for (let i = 0; i < f.projections.length; i++) s += f.projections[i]! * dp[i]!;
        for (let i = 0; i < f.features.length; i++) s += f.features[i]! * df[i]!;
        return s;
      };
      const g = dgcnnBackwardRef(c, B, N, x, p, base, dp, mode, df);
      expect([...g.grads.keys()].sort()).toEqual(
        dgcnnParamSpecs(c)
          .filter((s) => s.trainable)
          .map((s) => s.name)
          .sort(),
      );
      const probe = (arr: Float64Array, grad: ArrayLike<number>, name: string) =>
        expectGradientMatchesDifferences(loss, arr, grad, {
          what: `${mode} ${name}`,
          samples: 5,
          seed: 3,
          eps: 1e-6,
          atol: 1e-6,
          rtol: 1e-4,
        });
      probe(x, g.dInput, 'input points');
      for (const [name, gr] of g.grads) probe(p.get(name) as Float64Array, gr, name);
    });
  }

  it('the graph of EdgeConv 1 is the kNN of the points, later ones of the features', () => {
    const f = dgcnnForwardRef(c, B, N, x, p, 'train');
    // Self first in every row of every layer (distance 0, unique for distinct points).
    for (const l of f.layers) for (let r = 0; r < B * N; r++) expect(l.idx[r * c.k]).toBe(r % N);
    expect(f.layers[1]!.idx).not.toEqual(f.layers[0]!.idx);
  });
});
