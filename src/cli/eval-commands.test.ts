import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { linearEval } from '../eval/linear-eval';
import { writeNpy } from '../io/npy';
import { Rng } from '../util/random';

const dir = mkdtempSync(join(tmpdir(), 'crosspoint-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// 4 classes (labels 0, 2, 5, 9) around random centres in 12 dims; 15 train and 25 test each.
const rng = new Rng(21);
const LABELS = [0, 2, 5, 9];
const d = 12;
const centres = LABELS.map(() => Array.from({ length: d }, () => rng.normal(0, 2)));
function split(perClass: number) {
  const n = perClass * LABELS.length;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % LABELS.length;
    y[i] = LABELS[c]!;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c]![j]! + rng.normal(0, 1);
  }
  return { x, y, n };
}
const tr = split(15);
const te = split(25);
const trX = save('train_x.npy', writeNpy(tr.x, [tr.n, d]));
const trY = save('train_y.npy', writeNpy(tr.y, [tr.n])); // int32 [n]
const trY64 = save('train_y64.npy', writeNpy(BigInt64Array.from(tr.y, BigInt), [tr.n, 1])); // int64 [n, 1]
const teX = save('test_x.npy', writeNpy(te.x, [te.n, d]));
const teY = save('test_y.npy', writeNpy(Uint8Array.from(te.y), [te.n])); // uint8 [n]

const svmArgs = (over: Record<string, string> = {}) => {
  const a = { 'train-features': trX, 'train-labels': trY, 'test-features': teX, 'test-labels': teY, ...over };
  return Object.entries(a).flatMap(([k, v]) => [`--${k}`, v]);
};

/** Exit 2 with exactly one line on stderr containing `msg`, nothing on stdout. */
function expectInputError(r: ReturnType<typeof crosspoint>, cmd: string, msg: string) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(`crosspoint ${cmd}: `);
  expect(r.stderr).toContain(msg);
}

describe('crosspoint svm', () => {
  it('prints accuracies, per-class accuracy and counts as JSON (int32, int64 [n,1] and uint8 labels)', () => {
    for (const labels of [trY, trY64]) {
      const r = crosspoint(['svm', ...svmArgs({ 'train-labels': labels }), '--C', '0.1']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ n_train: 60, n_test: 100, C: 0.1, classifier: 'svc', converged: true });
      expect(Object.keys(out.per_class)).toEqual(['0', '2', '5', '9']);
      expect(out.test_acc).toBeGreaterThan(0.9);
      expect(out.train_acc).toBeGreaterThan(0.9);
    }
  });

  it("fits sklearn's SVC by default, LinearSVC with --svm linearsvc, and says which", () => {
    const train = { features: tr.x, labels: tr.y };
    const test = { features: te.x, labels: te.y };
    for (const kind of ['svc', 'linearsvc'] as const) {
      const flag = kind === 'svc' ? [] : ['--svm', 'linearsvc'];
      const r = crosspoint(['svm', ...svmArgs(), '--C', '0.001', ...flag]);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      const want = linearEval(train, test, { C: 0.001, classifier: kind });
      expect(out.classifier).toBe(kind);
      expect(out.per_class).toEqual(want.per_class);
      expect(out.train_acc).toBe(want.train_acc);
    }
    expect(JSON.parse(crosspoint(['svm', ...svmArgs(), '--svm', 'svc']).stdout).classifier).toBe('svc');
    const bad = crosspoint(['svm', ...svmArgs(), '--svm', 'ridge']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--svm must be one of svc, linearsvc (got "ridge")');
  });

  it('refuses bad input with one line and exit 2', () => {
    expectInputError(
      crosspoint(['svm', ...svmArgs({ 'test-features': join(dir, 'missing.npy') })]),
      'svm',
      `--test-features: cannot read "${join(dir, 'missing.npy')}": no such file`,
    );
    expectInputError(
      crosspoint(['svm', ...svmArgs({ 'test-labels': trY })]),
      'svm',
      '--test-features has 100 rows but --test-labels has 60 labels',
    );
    const nan = tr.x.slice();
    nan[5 * d + 3] = Number.NaN;
    expectInputError(
      crosspoint(['svm', ...svmArgs({ 'train-features': save('nan.npy', writeNpy(nan, [tr.n, d])) })]),
      'svm',
      'train: feature 3 of sample 5 is NaN',
    );
    expectInputError(
      crosspoint([
        'svm',
        ...svmArgs({ 'train-labels': save('fl.npy', writeNpy(new Float32Array(tr.n), [tr.n])) }),
      ]),
      'svm',
      'labels must be integers (int32, int64, uint8, ...), got float32',
    );
    expectInputError(
      crosspoint(['svm', ...svmArgs({ 'train-features': save('flat.npy', writeNpy(tr.x, [tr.n * d])) })]),
      'svm',
      `features must have shape [n, d] with n, d > 0, got [${tr.n * d}]`,
    );
    expectInputError(
      crosspoint([
        'svm',
        ...svmArgs({ 'train-features': save('junk.npy', new TextEncoder().encode('hello')) }),
      ]),
      'svm',
      'not a .npy file',
    );
  });

  it('a missing flag is a usage error', () => {
    const r = crosspoint(['svm', '--train-features', trX]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'crosspoint svm: missing --train-labels, --test-features, --test-labels',
    );
    expect(r.stderr).toContain('usage: crosspoint svm');
  });
});

describe('crosspoint fewshot-features', () => {
  const args = [
    'fewshot-features',
    ...svmArgs(),
    ...['--way', '3', '--shot', '5', '--query', '10', '--episodes', '4', '--seed', '3'],
  ];

  it('prints mean, std and one accuracy per episode, reproducibly', () => {
    const r = crosspoint(args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['mean', 'std', 'accs', 'protocol', 'classifier', 'C']);
    expect(out).toMatchObject({ protocol: 'ours', classifier: 'svc', C: 0.01 });
    expect(out.accs).toHaveLength(4);
    expect(out.mean).toBeCloseTo(out.accs.reduce((a: number, b: number) => a + b) / 4, 12);
    expect(out.mean).toBeGreaterThan(0.8);
    expect(crosspoint(args).stdout).toBe(r.stdout);
  });

  it("'reference' needs no test split and fails clearly when classes are too small", () => {
    const ok = crosspoint([
      'fewshot-features',
      '--train-features',
      trX,
      '--train-labels',
      trY,
      ...['--way', '2', '--shot', '5', '--query', '10', '--episodes', '2', '--protocol', 'reference'],
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).accs).toHaveLength(2);
    // Upstream's eval_fewshot.py: SVC(kernel='linear') with sklearn's default C = 1.
    expect(JSON.parse(ok.stdout)).toMatchObject({ protocol: 'reference', classifier: 'svc', C: 1 });
    const lin = JSON.parse(crosspoint([...args, '--svm', 'linearsvc', '--C', '0.5']).stdout);
    expect(lin).toMatchObject({ protocol: 'ours', classifier: 'linearsvc', C: 0.5 });
    expectInputError(
      crosspoint([...args, '--query', '30']),
      'fewshot-features',
      '3-way 5-shot with 30 queries needs 3 classes with at least 5 train and 30 test examples, but only 0 qualify: class 0 has 25 test (needs 30)',
    );
  });

  it('leaves out a class that is too small and says so on stderr', () => {
    const y = te.y.slice();
    y.fill(7, 0, 1); // one test example of class 7 (also 0 train examples of it)
    const teY7 = save('test_y7.npy', writeNpy(y, [te.n]));
    const trXb = save(
      'train_x_b.npy',
      writeNpy(Float32Array.from([...tr.x, ...tr.x.subarray(0, d)]), [tr.n + 1, d]),
    );
    const trYb = save('train_y_b.npy', writeNpy(Int32Array.from([...tr.y, 7]), [tr.n + 1]));
    const r = crosspoint([
      'fewshot-features',
      ...svmArgs({ 'train-features': trXb, 'train-labels': trYb, 'test-labels': teY7 }),
      ...['--way', '4', '--shot', '5', '--query', '10', '--episodes', '2'],
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('classes 7 have too few examples and were left out of the draw');
    expect(JSON.parse(r.stdout).excluded).toEqual([{ label: 7, train: 1, test: 1 }]);
  });
});
