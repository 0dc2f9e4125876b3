#!/usr/bin/env node
// Builds dist-cli/crosspoint.mjs when it is missing or older than any file under src/, shaders/ or bench/.
// Builds go to a private folder and are renamed into place, so concurrent callers never see half a file.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bundle = join(root, 'dist-cli', 'crosspoint.mjs');

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function cliIsStale() {
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  return ['src', 'shaders', 'bench'].some(
    (d) => existsSync(join(root, d)) && newestMtime(join(root, d)) > built,
  );
}

export async function buildCli() {
  const { build } = await import('vite');
  const tmp = join(root, 'dist-cli', `.build-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  process.env.CROSSPOINT_CLI_OUT = tmp;
  try {
    await build({ root, configFile: join(root, 'vite.cli.config.ts'), logLevel: 'warn' });
    renameSync(join(tmp, 'crosspoint.mjs.map'), `${bundle}.map`);
    renameSync(join(tmp, 'crosspoint.mjs'), bundle);
  } finally {
    delete process.env.CROSSPOINT_CLI_OUT;
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
