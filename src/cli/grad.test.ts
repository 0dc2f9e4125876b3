import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { expectPosFiles, scratchDir, smallDgcnnWeights } from '../../test/cli-fixtures';
import { expectClose } from '../../test/numeric';
import { writeNpy } from '../io/npy';
import { readSafetensors } from '../io/safetensors';
import { dgcnnBackwardRef, dgcnnForwardRef } from '../nn/dgcnn.ref';
import { toRefParams } from '../../test/encoder-testing';
import { toChannelMajor, toPointMajor } from '../nn/point-encoder-run';
import { encoderParamSpecs } from '../nn/weights';
import { Rng } from '../util/random';

const { dir, save } = scratchDir('crosspoint-grad-');
const { config, model, values, weights } = smallDgcnnWeights(save, 7);
const B = 3;
const N = 24;
const rng = new Rng(8);
const xyz = rng.normalArray(B * N * 3);
const G = rng.uniformArray(B * config.proj);
const input = save('x.npy', writeNpy(xyz, [B, N, 3]));
const cotangent = save('g.npy', writeNpy(G, [B, config.proj]));

describe('crosspoint grad', () => {
  it('writes the gradient of every trainable tensor under its own name and of the input points', () => {
    const out = join(dir, 'out');
    const r = crosspoint([
      'grad',
      '--input',
      input,
      '--cotangent',
      cotangent,
      '--weights',
      weights,
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = toRefParams(values);
    const x = toChannelMajor(xyz, B, N);
    const f = dgcnnForwardRef(config, B, N, x, p, 'train');
    const b = dgcnnBackwardRef(config, B, N, x, p, f, G, 'train');
    const file = readSafetensors(readFileSync(join(out, 'grads.safetensors')));
    const trainable = encoderParamSpecs(model).filter((s) => s.trainable);
    expect([...file.tensors.keys()].sort()).toEqual([...trainable.map((s) => s.name), 'input'].sort());
    for (const s of trainable) {
      const t = file.tensors.get(s.name)!;
      expect(t.shape, s.name).toEqual(s.shape);
      const want = b.grads.get(s.name)!;
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expectClose(t.data as Float32Array, want, 1e-5 + 1e-4 * scale, 1e-3, s.name);
    }
    const dIn = file.tensors.get('input')!;
    expect(dIn.shape).toEqual([B, N, 3]);
    const want = toPointMajor(Float32Array.from(b.dInput), B, N);
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expectClose(dIn.data as Float32Array, want, 1e-5 + 1e-4 * scale, 1e-3, 'input');
    for (let l = 1; l <= 4; l++) {
      expect(readFileSync(join(out, `knn.${l}.npy`)).length).toBeGreaterThan(B * N * 4 * 4);
    }
    expectPosFiles(out, config, f, B, N);
  });

  it('refuses a cotangent of the wrong shape or dtype (exit 2, one line)', () => {
    for (const [g, re] of [
      [writeNpy(G.slice(0, 2 * config.proj), [2, config.proj]), /G must have shape \[3, 8\], got \[2, 8\]/],
      [writeNpy(Float64Array.from(G), [B, config.proj]), /G must be float32, got float64/],
    ] as const) {
      const r = crosspoint([
        'grad',
        '--input',
        input,
        '--cotangent',
        save('bad.npy', g),
        '--weights',
        weights,
        '--out',
        dir,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });
});
