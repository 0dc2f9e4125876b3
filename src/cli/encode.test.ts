import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { expectPosFiles, scratchDir, smallDgcnnWeights } from '../../test/cli-fixtures';
import { expectClose } from '../../test/numeric';
import { readNpy, writeNpy } from '../io/npy';
import { writeSafetensors } from '../io/safetensors';
import { dgcnnForwardRef } from '../nn/dgcnn.ref';
import { toRefParams } from '../../test/encoder-testing';
import { toChannelMajor } from '../nn/point-encoder-run';
import { encoderParamSpecs, freshWeights } from '../nn/weights';
import { PRESETS } from '../train/presets';
import { Rng } from '../util/random';

const { dir, save } = scratchDir('crosspoint-encode-');
// A small DGCNN (k from the file's metadata) and 3 clouds of 24 points.
const { config, model, values, weights } = smallDgcnnWeights(save, 5);
const B = 3;
const N = 24;
const xyz = new Rng(6).normalArray(B * N * 3);
const input = save('x.npy', writeNpy(xyz, [B, N, 3]));
const npy = (p: string) => readNpy(readFileSync(p));

describe('crosspoint encode', () => {
  it('writes features, projections and the kNN / arg-max choices of the reference forward (eval)', () => {
    const out = join(dir, 'out');
    const r = crosspoint(['encode', '--input', input, '--weights', weights, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = dgcnnForwardRef(config, B, N, toChannelMajor(xyz, B, N), toRefParams(values), 'eval');
    const feats = npy(join(out, 'features.npy'));
    expect(feats).toMatchObject({ dtype: 'float32', shape: [B, 32] });
    expectClose(feats.data as Float32Array, f.features, 1e-5, 1e-4, 'features');
    const proj = npy(join(out, 'projections.npy'));
    expect(proj.shape).toEqual([B, 8]);
    expectClose(proj.data as Float32Array, f.projections, 2e-5, 1e-4, 'projections');
    for (let l = 1; l <= 4; l++) {
      const knn = npy(join(out, `knn.${l}.npy`));
      expect(knn).toMatchObject({ dtype: 'int32', shape: [B, N, 4] });
      expect([...knn.data], `knn.${l}`).toEqual([...f.layers[l - 1]!.idx]);
      const arg = npy(join(out, `argmax.${l}.npy`));
      expect(arg).toMatchObject({ dtype: 'int32', shape: [B, config.edgeWidths[l - 1], N] });
      expect([...arg.data], `argmax.${l}`).toEqual([...f.layers[l - 1]!.arg]);
    }
    // pos files belong to the training-mode forward only.
    expect(existsSync(join(out, 'pos.1.npy'))).toBe(false);
  });

  it('--mode train also writes pos.l.npy: the sign of the winning BN output, as the batch-statistics reference', () => {
    const out = join(dir, 'train');
    const r = crosspoint(['encode', '--input', input, '--weights', weights, '--mode', 'train', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files).toContain(join(out, 'pos.4.npy'));
    const f = dgcnnForwardRef(config, B, N, toChannelMajor(xyz, B, N), toRefParams(values), 'train');
    for (let l = 1; l <= 4; l++) {
      expect([...npy(join(out, `argmax.${l}.npy`)).data], `argmax.${l}`).toEqual([...f.layers[l - 1]!.arg]);
    }
    expectPosFiles(out, config, f, B, N);
  });

  it("--seed with --preset gives fresh weights at that preset's size (a matching random-init baseline)", () => {
    const out = join(dir, 'tiny');
    const r = crosspoint(['encode', '--input', input, '--seed', '3', '--preset', 'tiny', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const tiny = { kind: 'dgcnn' as const, config: PRESETS.tiny.dgcnn };
    const fresh = freshWeights(tiny, 3);
    const f = dgcnnForwardRef(tiny.config, B, N, toChannelMajor(xyz, B, N), toRefParams(fresh), 'eval');
    const feats = npy(join(out, 'features.npy'));
    expect(feats.shape).toEqual([B, 2 * PRESETS.tiny.dgcnn.emb]);
    expectClose(feats.data as Float32Array, f.features, 1e-5, 1e-4, 'features');
    expect(npy(join(out, 'knn.1.npy')).shape).toEqual([B, N, PRESETS.tiny.dgcnn.k]);
    const bad = crosspoint(['encode', '--input', input, '--preset', 'huge', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--preset must be one of first-look, tiny, small, paper \(got "huge"\)/);
    const both = crosspoint([
      'encode',
      '--input',
      input,
      '--weights',
      weights,
      '--preset',
      'tiny',
      '--out',
      out,
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/a weights file carries its own size/);
  });

  it('bad input exits 2 with one line naming the problem', () => {
    const nan = Float32Array.from(xyz);
    nan[3 * (N + 5) + 1] = Number.NaN; // cloud 1, point 5
    const bad = (args: string[], re: RegExp) => {
      const r = crosspoint(['encode', ...args, '--out', join(dir, 'bad')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    };
    bad(['--input', join(dir, 'missing.npy')], /cannot read .*missing\.npy.*no such file/);
    bad(
      ['--input', save('nan.npy', writeNpy(nan, [B, N, 3]))],
      /cloud 1 point 5 has a non-finite coordinate/,
    );
    bad(['--input', save('f64.npy', writeNpy(Float64Array.from(xyz), [B, N, 3]))], /float32, got float64/);
    bad(['--input', save('shape.npy', writeNpy(xyz, [B, N * 3]))], /shape \[B, N, 3\], got \[3, 72\]/);
    bad(['--input', input, '--weights', weights, '--k', '30'], /24 points per cloud are fewer than k = 30/);
    const partial = new Map(values);
    partial.delete('bn3.bias');
    const spec = encoderParamSpecs(model).filter((s) => s.name !== 'bn3.bias');
    const sd = new Map(
      spec.map((s) => [s.name, { dtype: s.dtype, shape: s.shape, data: partial.get(s.name)! }]),
    );
    bad(
      ['--input', input, '--weights', save('partial.safetensors', writeSafetensors(sd))],
      /missing 1: bn3\.bias/,
    );
    const one = save('one.npy', writeNpy(xyz.slice(0, N * 3), [1, N, 3]));
    bad(['--input', one, '--weights', weights, '--mode', 'train'], /train needs at least 2 clouds/);
  });
});
