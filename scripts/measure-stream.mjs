// Step rate of a folder streamed from a disk cache (`pretrain --data-budget 1 --stream-cache DIR`)
// against the same folder resident on the GPU, same seed: a folder written by `crosspoint sample`,
// `crosspoint pretrain` runs of each, alternating, their per-step times (first step left out:
// pipeline compilation) and whether their losses are equal. Prints a Markdown table.
//   node scripts/measure-stream.mjs [--preset first-look] [--per-class 4] [--views 24] [--steps 8] [--rounds 2]
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
const steps = arg('steps', '8');
const rounds = Number(arg('rounds', '2'));
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
  // Resident and streamed alternate, `rounds` times each, so a change in the machine's load
  // (it is shared) falls on both.
  const ms = { resident: [], streamed: [] };
  const losses = { resident: [], streamed: [] };
  const notes = [];
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['resident', 'streamed']) {
      const log = join(root, `${mode}-${round}.jsonl`);
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
      ms[mode].push(...m.slice(1).map((x) => x.stepMs));
      losses[mode].push(JSON.stringify(m.map((x) => [x.lImid, x.lCmid])));
      if (mode === 'streamed') notes.push(...err.split('\n').filter((l) => l.startsWith('stream')));
    }
  }
  const r = 1000 / median(ms.resident);
  const s = 1000 / median(ms.streamed);
  const same = new Set([...losses.resident, ...losses.streamed]).size === 1;
  console.log(
    `preset ${preset}, ${perClass} per class × 13 classes, ${views} views, ${rounds} rounds of ${steps} steps each (median of each run's steps 2..${steps})\n`,
  );
  console.log('| run | steps/s | median step ms |');
  console.log('| --- | --- | --- |');
  console.log(`| resident | ${r.toFixed(3)} | ${(1000 / r).toFixed(1)} |`);
  console.log(`| streamed | ${s.toFixed(3)} | ${(1000 / s).toFixed(1)} |`);
  console.log(`\nstreamed / resident: ${(s / r).toFixed(3)}; losses equal bit for bit in every run: ${same}`);
  for (const n of notes) console.log(n);
} finally {
  rmSync(root, { recursive: true, force: true });
}
