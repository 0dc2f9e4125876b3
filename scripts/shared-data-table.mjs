#!/usr/bin/env node
// Prints a Markdown table of what `crosspoint inspect` makes of every file in shared/data
// (found by walking up from this repository). Usage: node scripts/shared-data-table.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
let dir = repo;
while (!existsSync(join(dir, 'shared', 'data', 'MANIFEST.md'))) {
  if (dirname(dir) === dir) throw new Error('shared/data not found');
  dir = dirname(dir);
}
const root = join(dir, 'shared', 'data');
const walk = (d) =>
  readdirSync(d)
    .flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]))
    .sort();

console.log('| file | result |');
console.log('|---|---|');
for (const file of walk(root)) {
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'crosspoint.mjs'), 'inspect', file], {
    encoding: 'utf8',
  });
  const rel = relative(root, file);
  let what;
  if (r.status === 0) {
    const j = JSON.parse(r.stdout);
    const parts = [j.format];
    if (j.clouds !== undefined)
      parts.push(
        `${j.clouds} clouds × ${j.pointsPerCloud} points`,
        `${Object.keys(j.labels ?? {}).length} classes`,
      );
    else parts.push(`${j.points} points`, j.faces ? `${j.faces} triangles` : 'no faces');
    if (j.normals) parts.push('normals');
    if (j.className) parts.push(`class ${j.className} (${j.label})`);
    if (j.pointLabels) parts.push(`part labels ${j.pointLabels.join(',')}`);
    if (j.warnings.length) parts.push(`warnings: ${j.warnings.join('; ')}`);
    what = `loads: ${parts.join(', ')}`;
  } else {
    what = `refused (exit ${r.status}): ${r.stderr.trim().replace(`crosspoint inspect: ${file}: `, '')}`;
  }
  console.log(`| \`${rel}\` | ${what.replaceAll('|', '\\|')} |`);
}
