import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { modelNetSubset, scratchDir, smallDgcnnWeights, unitSphereInput } from '../../test/cli-fixtures';
import { expectClose } from '../../test/numeric';
import { isSet, loadAny } from '../data/loaders/index';
import { haveSharedData, sharedDataDir } from '../../test/shared-data';
import { linearEval } from '../eval/linear-eval';
import { readNpy } from '../io/npy';
import { readSafetensors, writeSafetensors } from '../io/safetensors';
import { dgcnnForwardRef } from '../nn/dgcnn.ref';
import { toRefParams } from '../../test/encoder-testing';

const { dir, save } = scratchDir('crosspoint-eval-svm-');
const HAVE = haveSharedData('the crosspoint eval-svm tests (the ModelNet40 subset)');
const { train: TRAIN, test: TEST } = HAVE ? modelNetSubset() : { train: '', test: '' };
const { config, values, weights } = smallDgcnnWeights(save, 3);
const P = 24;

/** Float64 reference features of clouds `rows` of an HDF5 split: first P points, unit sphere. */
async function refFeatures(path: string, rows: number[]): Promise<Float64Array> {
  const set = await loadAny(path, new Uint8Array(readFileSync(path)));
  if (!isSet(set)) throw new Error('not a set');
  const N0 = set.pointsPerCloud;
  const x = unitSphereInput(set.points, N0, rows, P); // [rows, 3, P]
  return dgcnnForwardRef(config, rows.length, P, x, toRefParams(values), 'eval').features;
}

describe.skipIf(!HAVE)('crosspoint eval-svm', () => {
  it('encodes both ModelNet40 splits, fits the SVM and prints the accuracies as JSON', async () => {
    const feats = join(dir, 'feats');
    const r = crosspoint([
      'eval-svm',
      ...['--train', TRAIN, '--test', TEST, '--weights', weights],
      ...['--points', String(P), '--batch', '40', '--save-features', feats, '--gram', 'gpu'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // The reference's classifier by default: sklearn's SVC(kernel='linear', C=0.01).
    expect(out).toMatchObject({ n_train: 97, n_test: 20, C: 0.01, classifier: 'svc' });
    expect(out.encoder).toMatchObject({ model: 'dgcnn', config, weights, points: P });
    // The saved features are the reference encoder's (spot rows of both splits, across batches).
    const npy = (f: string) => readNpy(readFileSync(join(feats, f)));
    const ftr = npy('train_features.npy');
    const fte = npy('test_features.npy');
    expect(ftr).toMatchObject({ dtype: 'float32', shape: [97, 32] });
    expect(fte).toMatchObject({ dtype: 'float32', shape: [20, 32] });
    const pick = (a: Float32Array, rows: number[]) =>
      Float32Array.from(rows.flatMap((i) => [...a.subarray(i * 32, (i + 1) * 32)]));
    const trRows = [0, 39, 40, 96];
    expectClose(
      pick(ftr.data as Float32Array, trRows),
      await refFeatures(TRAIN, trRows),
      1e-5,
      1e-4,
      'train',
    );
    expectClose(
      pick(fte.data as Float32Array, [0, 19]),
      await refFeatures(TEST, [0, 19]),
      1e-5,
      1e-4,
      'test',
    );
    // The printed numbers are the linear SVM's on those features, labels from the files (the
    // GPU's Gram matrix, --gram gpu, moves nothing here against the CPU's float64 one).
    const trY = Int32Array.from(npy('train_labels.npy').data as Int32Array);
    const teY = Int32Array.from(npy('test_labels.npy').data as Int32Array);
    expect(trY[0]).toBe(0); // rows sorted by label: airplanes first
    const want = linearEval(
      { features: ftr.data as Float32Array, labels: trY },
      { features: fte.data as Float32Array, labels: teY },
      { C: 0.01, seed: 0 },
    );
    expect(out.train_acc).toBe(want.train_acc);
    expect(out.test_acc).toBe(want.test_acc);
    expect(out.per_class).toEqual(want.per_class);
    expect(Object.keys(out.per_class).map(Number)).toEqual([...new Set(teY)].sort((a, b) => a - b));

    // --svm linearsvc: LinearSVC on the same features.
    const lin = crosspoint([
      'eval-svm',
      ...['--train', TRAIN, '--test', TEST, '--weights', weights],
      ...['--points', String(P), '--batch', '40', '--svm', 'linearsvc'],
    ]);
    expect(lin.code, lin.stderr).toBe(0);
    const linOut = JSON.parse(lin.stdout);
    const linWant = linearEval(
      { features: ftr.data as Float32Array, labels: trY },
      { features: fte.data as Float32Array, labels: teY },
      { C: 0.01, seed: 0, classifier: 'linearsvc' },
    );
    expect(linOut.classifier).toBe('linearsvc');
    expect(linOut.train_acc).toBe(linWant.train_acc);
    expect(linOut.per_class).toEqual(linWant.per_class);
  }, 300_000);

  it('bad input exits 2 with one line naming the problem', () => {
    const bad = (args: string[], re: RegExp) => {
      const r = crosspoint(['eval-svm', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    };
    bad(
      ['--train', join(dir, 'missing.h5'), '--test', TEST],
      /--train: cannot read .*missing\.h5.*no such file/,
    );
    const ply = join(sharedDataDir(), 'ply', 'trimesh', 'BoxTextured.ply');
    bad(['--train', TRAIN, '--test', ply], /--test .*needs a labelled set of clouds/);
    bad(
      ['--train', TRAIN, '--test', TEST, '--weights', weights, '--points', '3'],
      /--points 3: 3 points per cloud are fewer than k = 4/,
    );
    // k: the file's metadata (4 above), else eval_ssl.ipynb's 15 (a PyTorch file carries none,
    // nor do fresh reference-size weights), else --preset's; --k wins. Checked before any GPU work.
    const bare = save('bare.safetensors', writeSafetensors(readSafetensors(readFileSync(weights)).tensors));
    bad(
      ['--train', TRAIN, '--test', TEST, '--weights', bare, '--points', '14'],
      /--points 14: 14 points per cloud are fewer than k = 15 neighbours/,
    );
    bad(
      ['--train', TRAIN, '--test', TEST, '--seed', '0', '--points', '14'],
      /--points 14: 14 points per cloud are fewer than k = 15 neighbours/,
    );
    bad(
      ['--train', TRAIN, '--test', TEST, '--seed', '0', '--preset', 'tiny', '--points', '9'],
      /fewer than k = 10 /,
    );
    bad(
      ['--train', TRAIN, '--test', TEST, '--weights', bare, '--k', '6', '--points', '5'],
      /fewer than k = 6 /,
    );
    // Usage errors: one line naming the flag, then the usage.
    const usage = (args: string[], re: RegExp) => {
      const r = crosspoint(['eval-svm', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(re);
    };
    usage(['--train', TRAIN], /missing --test/);
    usage(
      ['--train', TRAIN, '--test', TEST, '--weights', weights, '--seed', '1'],
      /--weights or --seed, not both/,
    );
  }, 300_000);
});
