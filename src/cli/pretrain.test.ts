import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crosspoint } from '../../test/cli';
import { scratchDir } from '../../test/cli-fixtures';
import { PRESETS } from '../train/presets';
import { cosineLr, epochsReaching } from '../train/schedule';

const { dir } = scratchDir('crosspoint-pretrain-');
const p = (f: string) => join(dir, f);
// 13 train objects (one per category) in batches of 8: one step per epoch, so 3 steps span 3 epochs.
const SMALL = [
  '--preset',
  'first-look',
  '--per-class',
  '2',
  '--views',
  '1',
  '--batch',
  '8',
  '--eval-every',
  '0',
];

/** (step, lr) of each progress line ("step 2/3 ... lr 1.50e-3 ..."). */
function printedLr(stdout: string): [number, string][] {
  return [...stdout.matchAll(/^step (\d+)\/\d+ .* lr (\S+) /gm)].map((m) => [Number(m[1]), m[2]!]);
}

describe('crosspoint pretrain --steps', () => {
  it('anneals the lr over the steps asked for (not the preset epochs), and prints the lr each step used', () => {
    const lr0 = PRESETS['first-look'].lr;
    const run = (more: string[]) =>
      crosspoint(['pretrain', ...SMALL, '--out', p('a.safetensors'), '--log', p('a.jsonl'), ...more], {
        timeoutMs: 900_000,
      });
    const r = run(['--steps', '3']);
    expect(r.code, r.stderr).toBe(0);
    const spe = Number(/, (\d+) steps per epoch/.exec(r.stderr)?.[1]);
    expect(spe).toBe(1);
    const used = readFileSync(p('a.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; lr: number });
    expect(used.map((m) => m.step)).toEqual([1, 2, 3]);
    // Step s runs in epoch s − 1 of a 3-epoch schedule (the preset's 40 would keep it near lr0).
    for (const m of used) expect(m.lr).toBeCloseTo(cosineLr(lr0, m.step - 1, epochsReaching(3, spe)), 12);
    expect(used[2]!.lr).toBeCloseTo(lr0 / 4, 12);
    expect(printedLr(r.stdout)).toEqual(used.map((m) => [m.step, m.lr.toExponential(2)]));

    // Resumed for one more step: the schedule spans the 4 steps the run reaches.
    const more = run(['--steps', '1', '--resume', p('a.safetensors')]);
    expect(more.code, more.stderr).toBe(0);
    const last = JSON.parse(readFileSync(p('a.jsonl'), 'utf8').trim()) as { step: number; lr: number };
    expect(last.step).toBe(4);
    expect(last.lr).toBeCloseTo(cosineLr(lr0, 3, 4), 12);
    expect(printedLr(more.stdout)).toEqual([[4, last.lr.toExponential(2)]]);
  }, 1_800_000); // two CLI runs, each compiling the model's pipelines on SwiftShader
});

describe('crosspoint pretrain --variation', () => {
  it('hard: pretrains on the stretched and turned generated set, named so in the checkpoint', () => {
    const r = crosspoint(
      ['pretrain', ...SMALL, '--variation', 'hard', '--steps', '1', '--out', p('hard.safetensors')],
      { timeoutMs: 900_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain('Generated sample set (seed 1, 2 per class, hard variation)');
    const bytes = readFileSync(p('hard.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    expect(JSON.parse(header.__metadata__.dataset).name).toBe(
      'Generated sample set (seed 1, 2 per class, hard variation)',
    );
    const bad = crosspoint(['pretrain', ...SMALL, '--variation', 'wild', '--out', p('x.safetensors')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--variation.*standard.*hard/);
  }, 900_000);
});
