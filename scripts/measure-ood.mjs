#!/usr/bin/env node
/**
 * How well the Classify panel's out-of-distribution score separates real files of the sample
 * set's classes from real files of other classes (../shared/data), for each calibration
 * reference: runs `crosspoint classify` once per reference on all the files (the two runs in
 * parallel) and prints, per reference, the AUROC of the OOD distance and the realised false-alarm
 * rate on held-out in-distribution files against the stated one (5 %).
 *
 *   node scripts/measure-ood.mjs [--weights CKPT] [--data DIR] [--rows] [--cv K [--cv-only]]
 *
 * References:
 * - generated: the page's default, the generated sample set (104 shapes, 13 classes);
 * - real: ModelNet40's train split (ply_data_train0.h5) restricted to the sample set's classes
 *   (car has no train object there).
 *   Its own files are not scored (they are the reference); the in-distribution files it is
 *   measured on are those of the test split (ply_data_test0.h5), so none is in its reference.
 *
 * - real-cv (with --cv K): every real in-distribution shape of both splits (37: the 7 classes of
 *   the train split; car has no train object), in K stratified folds; each fold is judged against
 *   a reference of the other folds (written as .h5 files in a temporary folder), so the realised
 *   false-alarm rate counts all 37 shapes, each held out of its reference. Out-of-distribution
 *   files are judged K times (once per fold's reference); detections and AUROC are the folds' mean.
 *
 * In distribution: ModelNet40 objects of the classes the sample set has (airplane, bench, car,
 * chair, lamp, sofa, table; monitor as display). Out of distribution: the other ModelNet40
 * classes, except those close to a sample-set class (desk, dresser, night_stand, stool, tv_stand,
 * wardrobe), and PLY/OFF scans and meshes of objects of no sample-set class. The five
 * modelnet40_normal_resampled text files are rows of the .h5 files too, so they are not scored
 * twice.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
/** shared/data beside the checkout or any folder above it, or $CROSSPOINT_SHARED_DATA (as the tests look). */
function findShared() {
  if (process.env.CROSSPOINT_SHARED_DATA) return process.env.CROSSPOINT_SHARED_DATA;
  for (let d = join(import.meta.dirname, '..'); ; d = dirname(d)) {
    if (existsSync(join(d, 'shared', 'data', 'MANIFEST.md'))) return join(d, 'shared', 'data');
    if (dirname(d) === d) return join(import.meta.dirname, '..', '..', 'shared', 'data');
  }
}
const data = flag('--data') ?? findShared();
if (!existsSync(join(data, 'MANIFEST.md'))) {
  console.error(`measure-ood: no shared data at ${data} (give --data DIR)`);
  process.exit(2);
}
/** ModelNet40 class → sample-set class. */
const IN = {
  airplane: 'airplane',
  bench: 'bench',
  car: 'car',
  chair: 'chair',
  lamp: 'lamp',
  sofa: 'sofa',
  table: 'table',
  monitor: 'display',
};
const CLOSE = new Set(['desk', 'dresser', 'night_stand', 'stool', 'tv_stand', 'wardrobe']);
const train = join(data, 'modelnet40_subset', 'ply_data_train0.h5');
const test = join(data, 'modelnet40_subset', 'ply_data_test0.h5');
const scans = [
  'ply/open3d/bathtub_0154.ply',
  'ply/open3d/knot.ply',
  'ply/open3d/fragment_000.ply',
  'ply/open3d/fragment_001.ply',
  'ply/open3d/test_fragments/fragment_002.ply',
  'ply/open3d/test_output_pcd.ply',
  'ply/point-cloud-utils/truck.ply',
  'ply/point-cloud-utils/duplicated_pcloud.ply',
  'ply/happly/platonic_shelf.ply',
  'ply/trimesh/suzanne.ply',
  'ply/trimesh/fuze.ply',
  'ply/trimesh/sphere.ply',
  'ply/trimesh/featuretype.ply',
  'ply/trimesh/fixed_top.ply',
  'ply/trimesh/octagonal_pocket.ply',
  'ply/trimesh/reference.ply',
  'ply/trimesh/points_emptyface.ply',
  'ply/trimesh/mirror.ply',
  'off/trimesh/ballA.off',
].map((f) => join(data, f));

const REFERENCES = {
  generated: { flags: [], skip: () => false },
  real: {
    // car has no object in the train split, so the reference has 7 of the 8 classes.
    flags: [
      '--reference',
      train,
      '--reference-classes',
      Object.keys(IN)
        .filter((c) => c !== 'car')
        .join(','),
    ],
    // The reference's own shapes are not held out: only the test split's in-distribution files count.
    skip: (x, inside) => inside && x.file === train,
  },
};

/** The classify runs under way: one that fails stops the others. */
const running = new Set();

function classify(extra, first = []) {
  const cli = ['bin/crosspoint.mjs', 'classify', ...first, train, test, ...scans, ...extra];
  if (flag('--weights')) cli.push('--weights', flag('--weights'));
  console.error(`node ${cli.join(' ')}`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, cli, { cwd: join(import.meta.dirname, '..') });
    running.add(p);
    let out = '';
    let err = '';
    p.stdout.on('data', (b) => {
      out += b;
    });
    p.stderr.on('data', (b) => {
      err += b;
    });
    p.on('close', (code) => {
      running.delete(p);
      return code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`classify exited ${code}: ${err}`));
    });
  });
}

/** P(score of an out-of-distribution file > score of an in-distribution one), ties count half. */
function auroc(rows, score) {
  const pos = rows.filter((r) => !r.inside).map((r) => score(r.x));
  const neg = rows.filter((r) => r.inside).map((r) => score(r.x));
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

function summarise(name, out, skip) {
  const rows = [];
  for (const x of out.results) {
    const cls = x.fileLabel !== undefined ? String(x.fileLabel) : undefined;
    if (cls !== undefined && CLOSE.has(cls)) continue;
    const inside = cls !== undefined && cls in IN;
    if (skip(x, inside)) continue;
    rows.push({
      name: `${x.file.split('/').at(-1)}${x.cloud !== undefined ? `#${x.cloud}` : ''}`,
      cls: cls ?? 'scan',
      inside,
      x,
    });
  }
  const ins = rows.filter((r) => r.inside);
  const outs = rows.filter((r) => !r.inside);
  const flagged = (rs) => rs.filter((r) => r.x.ood.verdict === 'out-of-distribution').length;
  const first = out.results[0]?.ood;
  return {
    rows,
    summary: {
      reference: first?.reference,
      calibrationShapes: first?.calibrationShapes,
      threshold: first?.threshold,
      inDistribution: { files: ins.length, flagged: flagged(ins) },
      outOfDistribution: { files: outs.length, flagged: flagged(outs) },
      falseAlarm: { stated: first?.falseAlarm, realised: +(flagged(ins) / ins.length).toFixed(3) },
      detectionRate: +(flagged(outs) / outs.length).toFixed(3),
      auroc: {
        oodDistance: +auroc(rows, (x) => x.ood.distance).toFixed(3),
        minusNearestCosine: +auroc(rows, (x) => -x.nearest[0].cosine).toFixed(3),
      },
      svmAccuracyOnInDistribution: `${ins.filter((r) => r.x.guess === IN[r.cls]).length}/${ins.length}`,
      name,
    },
  };
}

/**
 * The real in-distribution shapes of both splits in K stratified folds: fold f's shapes in
 * q<f>.h5 and the others in ref<f>.h5, with shape_names.txt beside them (class names).
 */
async function writeFolds(dir, K) {
  const { default: h5wasm } = await import('h5wasm/node');
  await h5wasm.ready;
  const names = readFileSync(join(dirname(train), 'shape_names.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const rows = [];
  for (const file of [train, test]) {
    const f = new h5wasm.File(file, 'r');
    try {
      const d = f.get('data');
      const points = d.value;
      const labels = f.get('label').value;
      const N = d.shape[1];
      for (let i = 0; i < labels.length; i++) {
        const cls = names[labels[i]];
        if (cls in IN && cls !== 'car')
          rows.push({ cls, label: labels[i], points: points.subarray(i * N * 3, (i + 1) * N * 3), N });
      }
    } finally {
      f.close();
    }
  }
  const seen = {};
  for (const r of rows) {
    const k = seen[r.cls] ?? 0;
    seen[r.cls] = k + 1;
    r.fold = k % K;
  }
  const write = (path, rs) => {
    const N = rs[0].N;
    const data = new Float32Array(rs.length * N * 3);
    rs.forEach((r, i) => {
      data.set(r.points, i * N * 3);
    });
    const f = new h5wasm.File(path, 'w');
    try {
      f.create_dataset({ name: 'data', data, shape: [rs.length, N, 3] });
      f.create_dataset({ name: 'label', data: Uint8Array.from(rs, (r) => r.label), shape: [rs.length, 1] });
    } finally {
      f.close();
    }
  };
  for (let f = 0; f < K; f++) {
    write(
      join(dir, `q${f}.h5`),
      rows.filter((r) => r.fold === f),
    );
    write(
      join(dir, `ref${f}.h5`),
      rows.filter((r) => r.fold !== f),
    );
  }
  copyFileSync(join(dirname(train), 'shape_names.txt'), join(dir, 'shape_names.txt'));
  return rows.length;
}

/** Runs the jobs two at a time (each classify run encodes every file; the machine is shared). */
async function twoAtATime(jobs) {
  const out = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

const K = flag('--cv') ? Number(flag('--cv')) : 0;
const cvDir = K ? mkdtempSync(join(tmpdir(), 'measure-ood-')) : undefined;
const cvShapes = K ? await writeFolds(cvDir, K) : 0;
// --cv-only: only the folds (the two references above are skipped).
const names = args.includes('--cv-only') ? [] : Object.keys(REFERENCES);
const jobs = [
  ...names.map((n) => () => classify(REFERENCES[n].flags)),
  ...Array.from(
    { length: K },
    (_, f) => () => classify(['--reference', join(cvDir, `ref${f}.h5`)], [join(cvDir, `q${f}.h5`)]),
  ),
];
const all = await twoAtATime(jobs).catch((e) => {
  console.error(e.message);
  for (const p of running) p.kill();
  process.exit(1);
});
if (cvDir) rmSync(cvDir, { recursive: true, force: true });
const outs = all.slice(0, names.length);
const report = {
  model: all[0].model,
  set: all[0].set,
  meaning: all[0].results[0]?.ood.meaning,
  references: {},
};
for (const [i, n] of names.entries()) {
  const { rows, summary } = summarise(n, outs[i], REFERENCES[n].skip);
  report.references[n] = summary;
  if (args.includes('--rows')) {
    for (const r of rows)
      console.error(
        `${n.padEnd(9)} ${r.inside ? 'in ' : 'out'} ${r.cls.padEnd(12)} ${r.name.padEnd(28)} d=${r.x.ood.distance.toFixed(2)} ${r.x.ood.verdict} guess=${r.x.guess}`,
      );
  }
}
if (K) {
  // Each fold: its own held-out real shapes (q<f>.h5) in distribution, the out-of-distribution files.
  const folds = all
    .slice(names.length)
    .map((out, f) =>
      summarise(`real-cv fold ${f}`, out, (x, inside) => inside && basename(x.file) !== `q${f}.h5`),
    );
  const mean = (v) => +(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3);
  const ins = folds.reduce((a, f) => a + f.summary.inDistribution.flagged, 0);
  const inFiles = folds.reduce((a, f) => a + f.summary.inDistribution.files, 0);
  report.references['real-cv'] = {
    reference: `${K} folds of the ${cvShapes} real in-distribution shapes, each fold judged against the others`,
    calibrationShapes: folds.map((f) => f.summary.calibrationShapes),
    threshold: folds.map((f) => f.summary.threshold),
    inDistribution: { files: inFiles, flagged: ins },
    falseAlarm: { stated: folds[0].summary.falseAlarm.stated, realised: +(ins / inFiles).toFixed(3) },
    outOfDistribution: {
      files: folds[0].summary.outOfDistribution.files,
      flaggedPerFold: folds.map((f) => f.summary.outOfDistribution.flagged),
    },
    detectionRate: mean(folds.map((f) => f.summary.detectionRate)),
    auroc: { oodDistance: mean(folds.map((f) => f.summary.auroc.oodDistance)) },
  };
  if (args.includes('--rows'))
    for (const [f, { rows }] of folds.entries())
      for (const r of rows.filter((r) => r.inside))
        console.error(
          `real-cv${f} in  ${r.cls.padEnd(12)} ${r.name.padEnd(28)} d=${r.x.ood.distance.toFixed(2)} t=${r.x.ood.threshold.toFixed(2)} ${r.x.ood.verdict}`,
        );
}
console.log(JSON.stringify(report, null, 2));
