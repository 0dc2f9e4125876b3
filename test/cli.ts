import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', 'bin', 'crosspoint.mjs');

/** Runs the real `crosspoint` binary (the bundle global-setup built) and captures its output. */
export function crosspoint(args: string[], opts: { timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 120_000,
    env: { ...process.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
