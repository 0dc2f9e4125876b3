#!/usr/bin/env node
/**
 * How well the Classify panel's out-of-distribution score separates real files of the sample
 * set's classes from real files of other classes (../shared/data): runs `crosspoint classify`
 * once on all of them and prints the AUROC of the OOD distance and the realised false-alarm
 * rate on the in-distribution files (the threshold is calibrated for 5 % on the set's own
 * generated shapes).
 *
 *   node scripts/measure-ood.mjs [--weights CKPT] [--data DIR]
 *
 * In distribution: ModelNet40 objects of the classes the sample set has (airplane, bench, car,
 * chair, lamp, sofa, table; monitor as display). Out of distribution: the other ModelNet40
 * classes, except those close to a sample-set class (desk, dresser, night_stand, stool, tv_stand,
 * wardrobe), and the PLY/OFF scans and meshes of objects of no sample-set class.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
const h5 = ['ply_data_train0.h5', 'ply_data_test0.h5'].map((f) => join(data, 'modelnet40_subset', f));
const txt = [
  'airplane/airplane_0126.txt',
  'chair/chair_0454.txt',
  'monitor/monitor_0468.txt',
  'sofa/sofa_0469.txt',
  'table/table_0326.txt',
].map((f) => join(data, 'modelnet40_normal_resampled', f));
const scans = [
  'ply/open3d/bathtub_0154.ply',
  'ply/open3d/knot.ply',
  'ply/open3d/fragment_000.ply',
  'ply/open3d/fragment_001.ply',
  'ply/open3d/test_output_pcd.ply',
  'ply/trimesh/suzanne.ply',
  'ply/trimesh/fuze.ply',
  'ply/trimesh/sphere.ply',
  'ply/trimesh/featuretype.ply',
  'ply/trimesh/fixed_top.ply',
  'ply/trimesh/octagonal_pocket.ply',
  'ply/trimesh/reference.ply',
  'off/trimesh/ballA.off',
].map((f) => join(data, f));

const cli = ['bin/crosspoint.mjs', 'classify', ...h5, ...txt, ...scans];
if (flag('--weights')) cli.push('--weights', flag('--weights'));
console.error(`node ${cli.join(' ')}`);
const r = spawnSync(process.execPath, cli, {
  cwd: join(import.meta.dirname, '..'),
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(r.status ?? 1);
}
const out = JSON.parse(r.stdout);

// Each result: in (1), out (0) or left out (close to a sample class).
const rows = [];
for (const x of out.results) {
  let cls;
  if (x.fileLabel !== undefined) cls = String(x.fileLabel);
  else if (x.file.includes('modelnet40_normal_resampled')) cls = x.file.split('/').at(-2);
  if (cls !== undefined && CLOSE.has(cls)) continue;
  const inside = cls !== undefined && cls in IN;
  rows.push({
    name: `${x.file.split('/').at(-1)}${x.cloud !== undefined ? `#${x.cloud}` : ''}`,
    cls: cls ?? 'scan',
    inside,
    x,
  });
}

/** P(score of an out-of-distribution file > score of an in-distribution one), ties count half. */
function auroc(score) {
  const pos = rows.filter((r) => !r.inside).map((r) => score(r.x));
  const neg = rows.filter((r) => r.inside).map((r) => score(r.x));
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}
const ins = rows.filter((r) => r.inside);
const outs = rows.filter((r) => !r.inside);
const flagged = (rs) => rs.filter((r) => r.x.ood.verdict === 'out-of-distribution').length;
const correct = ins.filter((r) => r.x.guess === IN[r.cls]).length;
const summary = {
  model: out.model,
  set: out.set,
  inDistribution: {
    files: ins.length,
    flagged: flagged(ins),
    falseAlarmRate: +(flagged(ins) / ins.length).toFixed(3),
  },
  outOfDistribution: {
    files: outs.length,
    flagged: flagged(outs),
    detectionRate: +(flagged(outs) / outs.length).toFixed(3),
  },
  auroc: {
    oodDistance: +auroc((x) => x.ood.distance).toFixed(3),
    minusNearestCosine: +auroc((x) => -x.nearest[0].cosine).toFixed(3),
  },
  svmAccuracyOnInDistribution: `${correct}/${ins.length}`,
  threshold: out.results[0]?.ood.threshold,
};
console.log(JSON.stringify(summary, null, 2));
if (args.includes('--rows')) {
  for (const r of rows)
    console.log(
      `${r.inside ? 'in ' : 'out'} ${r.cls.padEnd(12)} ${r.name.padEnd(28)} d=${r.x.ood.distance.toFixed(2)} ${r.x.ood.verdict} guess=${r.x.guess}`,
    );
}
