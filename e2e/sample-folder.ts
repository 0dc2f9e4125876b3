/** The e2e tests' own-data folder: a tiny one in CrossPoint's layout, written by the real CLI. */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tinySampleArgs } from '../test/tiny-sample';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes `crosspoint sample`'s tiny folder (26 objects in 13 classes, seed 4) to `out`. */
export function writeTinySample(out: string): void {
  const r = spawnSync(process.execPath, [join(repo, 'bin/crosspoint.mjs'), ...tinySampleArgs(out, 4)], {
    cwd: repo,
    encoding: 'utf8',
    env: {
      ...process.env,
      VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json',
      NODEVICE_SELECT: '1',
    },
  });
  if (r.status !== 0) throw new Error(`crosspoint sample failed: ${r.stderr}`);
}
