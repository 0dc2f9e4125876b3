// Step rate of a folder streamed from a disk cache (`pretrain --data-budget 1 --stream-cache DIR`)
// against the same folder resident on the GPU, same seed: a folder written by `crosspoint sample`,
// two `crosspoint pretrain` runs one after the other, their per-step times (first step left out:
// pipeline compilation) and whether their losses are equal. Prints a Markdown table.
//   node scripts/measure-stream.mjs [--preset first-look] [--per-class 4] [--views 24] [--steps 12]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const preset = arg('preset', 'first-look');
const perClass = arg('per-class', '4');
const views = arg('views', '24');
const steps = arg('steps', '12');
const env = {
  ...process.env,
  VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
  NODEVICE_SELECT: '1',
};
const root = mkdtempSync(join(tmpdir(), 'crosspoint-measure-stream-'));
const cli = (args) => {
  const r = spawnSync(process.execPath, ['bin/crosspoint.mjs', ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`crosspoint ${args.join(' ')}: ${r.stderr}`);
  return r.stderr;
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  const set = join(root, 'set');
  cli([
    'sample',
    '--out',
    set,
    '--per-class',
    perClass,
    '--views',
    views,
    '--size',
    '64',
    '--points',
    '2048',
    '--seed',
    '1',
  ]);
  const runs = {};
  for (const mode of ['resident', 'streamed']) {
    const log = join(root, `${mode}.jsonl`);
    const extra = mode === 'streamed' ? ['--data-budget', '1', '--stream-cache', join(root, 'cache')] : [];
    const err = cli([
      'pretrain',
      '--preset',
      preset,
      '--data',
      set,
      '--views',
      views,
      '--steps',
      steps,
      '--eval-every',
      '0',
      '--seed',
      '1',
      '--log',
      log,
      '--out',
      join(root, `${mode}.safetensors`),
      ...extra,
    ]);
    const m = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((x) => 'stepMs' in x);
    runs[mode] = { m, note: err.split('\n').find((l) => l.startsWith('streaming')) ?? '' };
  }
  const rate = (m) => 1000 / median(m.slice(1).map((x) => x.stepMs));
  const r = rate(runs.resident.m);
  const s = rate(runs.streamed.m);
  const same =
    JSON.stringify(runs.resident.m.map((x) => [x.lImid, x.lCmid])) ===
    JSON.stringify(runs.streamed.m.map((x) => [x.lImid, x.lCmid]));
  console.log(
    `preset ${preset}, ${perClass} per class × 13 classes, ${views} views, ${steps} steps (median of steps 2..${steps})\n`,
  );
  console.log('| run | steps/s | median step ms |');
  console.log('| --- | --- | --- |');
  console.log(`| resident | ${r.toFixed(3)} | ${(1000 / r).toFixed(1)} |`);
  console.log(`| streamed | ${s.toFixed(3)} | ${(1000 / s).toFixed(1)} |`);
  console.log(`\nstreamed / resident: ${(s / r).toFixed(3)}; losses equal bit for bit: ${same}`);
  if (runs.streamed.note) console.log(runs.streamed.note);
} finally {
  rmSync(root, { recursive: true, force: true });
}
