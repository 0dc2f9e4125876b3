#!/usr/bin/env node
/**
 * Part segmentation fine-tuned from our `dgcnn_seg` pretraining against random init, at equal
 * widths, sizes and steps: for each test set and seed, `crosspoint partseg` twice (random init
 * with `--size first-look`, and `--weights PRETRAINED`) then `crosspoint partseg-eval` on each,
 * and a summary of instance mIoU per arm (mean ± standard error over seeds) and of the paired
 * difference pretrained − random (same seed: same batches, augmentation, dropout and, on the
 * generated set, the same shapes).
 *
 *   node scripts/compare-partseg-init.mjs (--pretrained CKPT | --pretrain-steps N)
 *     [--seeds 2,3,4,5,6] [--sets generated,shapenetpart] [--points 64] [--k 10]
 *     [--gen-epochs 4] [--cap-epochs 20] [--bn-momentum M] [--out DIR] [--data SHARED_DATA_DIR]
 *     [--summary-only]
 *
 * --pretrain-steps N first runs `crosspoint pretrain --model dgcnn_seg --preset first-look
 * --steps N --seed 1` into DIR/pretrained.safetensors (resumed from there if it exists), so that
 * the whole comparison is one command; on a GPU give a larger N.
 *
 * Sets: `generated` is the sample set's five part categories at 8 per category (30 train, 10
 * test, batch 6, 4 epochs: 20 steps); its shapes depend on the seed, and seed 1 is the
 * pretraining's, so the default seeds start at 2 (no test shape was among the pretraining's
 * objects). `shapenetpart` is shared/data/shapenetpart_sample (Caps: 5 val train, 7 test;
 * batch 5, 20 epochs: 20 steps).
 *
 * Every finished run is one line of DIR/runs.jsonl (instance and class mIoU, accuracy, wall
 * seconds, load averages before and after); a rerun skips the runs already there, so an
 * interrupted comparison continues. The summary goes to stdout and DIR/summary.md. Runs are
 * sequential (one long job on a shared machine), the two arms of a seed back to back.
 * --bn-momentum M is passed to both arms' `crosspoint partseg` (default there PyTorch's 0.1, whose
 * running statistics keep 0.9^s of their initial 0 / 1 after s steps, so short runs are scored in
 * eval mode with statistics of no real batch; the Parts panel's first-look size uses 0.5).
 * --summary-only prints the summary of the runs DIR holds and runs nothing (after stopping a
 * comparison that ran out of time: seeds with both arms are summarised).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const fail = (msg) => {
  console.error(`compare-partseg-init: ${msg}`);
  process.exit(2);
};

/** shared/data beside the checkout or any folder above it, or $CROSSPOINT_SHARED_DATA (as the tests look). */
function findShared() {
  if (process.env.CROSSPOINT_SHARED_DATA) return process.env.CROSSPOINT_SHARED_DATA;
  for (let d = join(import.meta.dirname, '..'); ; d = dirname(d)) {
    if (existsSync(join(d, 'shared', 'data', 'MANIFEST.md'))) return join(d, 'shared', 'data');
    if (dirname(d) === d) return join(import.meta.dirname, '..', '..', 'shared', 'data');
  }
}

const root = join(import.meta.dirname, '..');
const out = resolve(flag('--out', 'compare-partseg-init'));
const seeds = flag('--seeds', '2,3,4,5,6')
  .split(',')
  .map((s) => Number(s));
if (seeds.some((s) => !Number.isInteger(s) || s < 1))
  fail('--seeds: a comma-separated list of positive integers');
const sets = flag('--sets', 'generated,shapenetpart').split(',');
for (const s of sets) if (s !== 'generated' && s !== 'shapenetpart') fail(`--sets: unknown set "${s}"`);
const points = flag('--points', '64');
const bnMomentum = flag('--bn-momentum');
const k = flag('--k', '10');
const pretrainSteps = flag('--pretrain-steps');
let pretrained = flag('--pretrained');
if ((pretrained === undefined) === (pretrainSteps === undefined))
  fail(
    'give exactly one of --pretrained CKPT (a `pretrain --model dgcnn_seg` checkpoint) and --pretrain-steps N',
  );
if (pretrained !== undefined) {
  pretrained = resolve(pretrained);
  if (!existsSync(pretrained)) fail(`--pretrained: ${pretrained} does not exist`);
}
const capDir = join(flag('--data', findShared()), 'shapenetpart_sample');
if (sets.includes('shapenetpart') && !existsSync(capDir))
  fail(`no ShapeNetPart sample at ${capDir} (give --data SHARED_DATA_DIR, or --sets generated)`);

/** Per set: the data flags both commands take and the training flags of partseg. */
const SETS = {
  generated: {
    data: ['--per-class', '8'],
    train: ['--train', 'sample', '--test', 'sample', '--batch', '6', '--epochs', flag('--gen-epochs', '4')],
    test: 'sample',
  },
  shapenetpart: {
    data: [],
    train: ['--train', capDir, '--test', capDir, '--batch', '5', '--epochs', flag('--cap-epochs', '20')],
    test: capDir,
  },
};

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Runs the CLI, echoing its stderr; resolves with its stdout. */
function crosspoint(cli) {
  console.error(`crosspoint ${cli.join(' ')}`);
  return new Promise((ok, no) => {
    const p = spawn(process.execPath, [join(root, 'bin', 'crosspoint.mjs'), ...cli], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    p.stdout.on('data', (b) => {
      stdout += b;
    });
    p.on('close', (code) => (code === 0 ? ok(stdout) : no(new Error(`crosspoint ${cli[0]} exited ${code}`))));
  });
}

mkdirSync(out, { recursive: true });
if (pretrainSteps !== undefined) {
  pretrained = join(out, 'pretrained.safetensors');
}
if (pretrainSteps !== undefined && !args.includes('--summary-only')) {
  const cli = [
    'pretrain',
    '--model',
    'dgcnn_seg',
    '--preset',
    'first-look',
    '--steps',
    pretrainSteps,
    '--seed',
    '1',
  ];
  cli.push(
    '--eval-every',
    '50',
    '--checkpoint-every',
    '25',
    '--out',
    pretrained,
    '--log',
    join(out, 'pretrain.jsonl'),
  );
  if (existsSync(pretrained)) cli.push('--resume', pretrained);
  await crosspoint(cli);
}

// Every run of a folder must be comparable: refuse to mix configurations.
const config = { pretrained, points, k, sets: Object.fromEntries(sets.map((s) => [s, SETS[s].train])) };
if (bnMomentum !== undefined) config.bnMomentum = bnMomentum;
const configFile = join(out, 'config.json');
if (existsSync(configFile)) {
  const before = readFileSync(configFile, 'utf8');
  if (before !== JSON.stringify(config, null, 1))
    fail(`${out} holds runs of another configuration (${configFile}); give another --out`);
} else writeFileSync(configFile, JSON.stringify(config, null, 1));

const runsFile = join(out, 'runs.jsonl');
const runs = existsSync(runsFile)
  ? readFileSync(runsFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l))
  : [];
const done = (set, arm, seed) => runs.find((r) => r.set === set && r.arm === arm && r.seed === seed);

const summaryOnly = args.includes('--summary-only');
for (const seed of summaryOnly ? [] : seeds) {
  for (const set of sets) {
    for (const arm of ['random', 'pretrained']) {
      if (done(set, arm, seed)) continue;
      const name = `${set}.${arm}.${seed}`;
      const init = arm === 'random' ? ['--size', 'first-look'] : ['--weights', pretrained];
      if (bnMomentum !== undefined) init.push('--bn-momentum', bnMomentum);
      const s = SETS[set];
      const common = ['--points', points, '--k', k, '--seed', String(seed), ...s.data];
      const loadBefore = load();
      const t0 = Date.now();
      await crosspoint([
        'partseg',
        ...s.train,
        ...common,
        ...init,
        '--out',
        join(out, `${name}.safetensors`),
      ]);
      const wall = (Date.now() - t0) / 1000;
      const log = join(out, `${name}.eval`);
      const ev = JSON.parse(
        await crosspoint([
          'partseg-eval',
          '--weights',
          join(out, `${name}.safetensors`),
          '--test',
          s.test,
          ...common,
          '--out',
          log,
        ]),
      );
      const row = {
        set,
        arm,
        seed,
        instance_miou: ev.instance_miou,
        class_miou: ev.class_miou,
        accuracy: ev.accuracy,
        shapes: ev.shapes,
        train_s: Math.round(wall),
        load_before: loadBefore,
        load_after: load(),
      };
      console.error(JSON.stringify(row));
      appendFileSync(runsFile, `${JSON.stringify(row)}\n`);
      runs.push(row);
    }
  }
}

/** Mean and standard error (sample standard deviation / √n; 0 for one value). */
function meanSe(xs) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return `${mean.toFixed(3)} ± ${(sd / Math.sqrt(n)).toFixed(3)}`;
}

const lines = [
  `Instance mIoU, ${points} points, k ${k}, BN momentum ${bnMomentum ?? 'default'}, pretrained: ${pretrained}`,
  '',
  '| test set | seeds | random init | from pretrained | random, mean ± s.e. | pretrained, mean ± s.e. | pretrained − random, mean ± s.e. |',
  '|---|---|---|---|---|---|---|',
];
for (const set of sets) {
  const paired = seeds.filter((seed) => done(set, 'random', seed) && done(set, 'pretrained', seed));
  if (paired.length === 0) continue;
  const r = paired.map((seed) => done(set, 'random', seed).instance_miou);
  const p = paired.map((seed) => done(set, 'pretrained', seed).instance_miou);
  const f = (xs) => xs.map((x) => x.toFixed(3)).join(', ');
  const shapes = done(set, 'random', paired[0]).shapes;
  lines.push(
    `| ${set} (${shapes} test shapes) | ${paired.join(', ')} | ${f(r)} | ${f(p)} | ${meanSe(r)} | ${meanSe(p)} | ${meanSe(p.map((x, i) => x - r[i]))} |`,
  );
}
const summary = `${lines.join('\n')}\n`;
writeFileSync(join(out, 'summary.md'), summary);
process.stdout.write(summary);
