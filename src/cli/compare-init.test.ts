import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { scratchDir, smallDgcnnWeights, unitSphereInput } from '../../test/cli-fixtures';
import { toRefParams } from '../../test/encoder-testing';
import { generateSampleSet } from '../data/sample-set';
import { linearEval } from '../eval/linear-eval';
import { dgcnnForwardRef } from '../nn/dgcnn.ref';
import { freshWeights } from '../nn/weights';

const { dir, save } = scratchDir('crosspoint-compare-init-');
const { config, model, values, weights } = smallDgcnnWeights(save, 6);
const P = 24;
// 13 classes × 4 generated objects, 2 of each in test: 26 train, 26 test clouds.
const SAMPLE = ['--train', 'sample', '--per-class', '4', '--test-per-class', '2', '--sample-seed', '3'];
const SMALL = ['--points', String(P), '--seeds', '2', '--draws', '2', '--budgets', '1', '--episodes', '2'];

/** Float64 reference features of the generated split `which` under `vals` (first P points, unit sphere). */
function refSplit(vals: Map<string, Float32Array | BigInt64Array>, which: 'train' | 'test') {
  const set = generateSampleSet({
    perClass: 4,
    points: 2048,
    views: 1,
    imageSize: 1,
    seed: 3,
    testPerClass: 2,
  });
  const objs = set.objects.filter((o) => o.split === which);
  const pts = new Float32Array(objs.length * 2048 * 3);
  objs.forEach((o, i) => {
    pts.set(o.points, i * 2048 * 3);
  });
  const x = unitSphereInput(pts, 2048, [...objs.keys()], P); // [n, 3, P]
  const f = dgcnnForwardRef(config, objs.length, P, x, toRefParams(vals), 'eval').features;
  return { features: f, labels: Int32Array.from(objs, (o) => o.label) };
}

describe('crosspoint compare-init', () => {
  it('trained against two random inits on the generated split: paired statistics by hand, the reference’s features', () => {
    const cache = ['--cache', join(dir, 'cache')];
    const r = crosspoint(['compare-init', '--weights', weights, ...SAMPLE, ...SMALL, ...cache], {
      timeoutMs: 600_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ C: 0.01, classifier: 'svc', random_seeds: [0, 1], n_train: 26, n_test: 26 });
    expect(out.test_classes).toBe(13);
    expect(out.chance).toBeCloseTo(1 / 13, 12);
    expect(
      out.label_efficiency.map((p: { per_class: number | null; draws: number }) => [p.per_class, p.draws]),
    ).toEqual([
      [1, 2],
      [null, 1],
    ]);
    for (const protocol of ['raw', 'standardized'] as const) {
      const c = out.linear[protocol];
      const [a, b] = c.random.by_seed as [number, number];
      // Two inits, one draw: differences t − a and t − b; sd = |a − b| / √2, se = sd / √2 = |a − b| / 2.
      expect(c.diff.mean).toBeCloseTo(c.trained - (a + b) / 2, 12);
      expect(c.diff.se).toBeCloseTo(Math.abs(a - b) / 2, 12);
      // The same fits on the float64 reference encoder's features (trained and init seed 0) agree
      // to within one test cloud (GPU float32 against float64 at a decision boundary).
      const standardize = protocol === 'standardized';
      const want = linearEval(refSplit(values, 'train'), refSplit(values, 'test'), { standardize }).test_acc;
      expect(Math.abs(c.trained - want)).toBeLessThanOrEqual(1 / 26 + 1e-12);
      const fresh = freshWeights(model, 0);
      const want0 = linearEval(refSplit(fresh, 'train'), refSplit(fresh, 'test'), { standardize }).test_acc;
      expect(Math.abs(a - want0)).toBeLessThanOrEqual(1 / 26 + 1e-12);
    }
    // Few-shot ran the episodes the split can fill: 2 test objects per class caps the queries.
    expect(out.fewshot.params).toEqual({ way: 5, shot: 2, query: 2, episodes: 2 });
    expect(out.fewshot.adjusted).toBe(true);
    expect(out.data).toMatchObject({ per_class: 4, sample_seed: 3 });
    expect(out.encoder).toMatchObject({ weights, points: P });
    // stderr has the table a person reads.
    expect(r.stderr).toMatch(/linear SVM, all labels\s+raw/);
    // Again with the cache: the random inits' features are read back, the numbers are the same.
    const again = crosspoint(['compare-init', '--weights', weights, ...SAMPLE, ...SMALL, ...cache], {
      timeoutMs: 600_000,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/random init 2\/2 \(seed 1\): features from the cache/);
    const b = JSON.parse(again.stdout);
    expect(b.label_efficiency).toEqual(out.label_efficiency);
    expect(b.fewshot).toEqual(out.fewshot);
  }, 1_500_000);

  it('bad flags exit 2 with one line', () => {
    const cases: [string[], RegExp][] = [
      [['--train', 'sample', '--test', 'x.h5'], /--train sample brings its own test split/],
      [['--train', 'a.h5'], /missing --test/],
      [['--train', 'sample', '--budgets', '1,two'], /--budgets: "two" is not a positive whole number/],
      [
        ['--train', 'sample', '--per-class', '4', '--test-per-class', '4'],
        /--test-per-class 4 leaves no train objects/,
      ],
      [['--train', 'sample', '--C', '0'], /--C must be positive/],
    ];
    for (const [args, msg] of cases) {
      const r = crosspoint(['compare-init', '--weights', weights, ...args], { timeoutMs: 300_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(crosspoint(['compare-init', '--train', 'sample'], { timeoutMs: 300_000 }).stderr).toMatch(
      /missing --weights/,
    );
  }, 1_800_000);
});
