#!/usr/bin/env node
// `npm test`: type check, lint, unit tests (vitest on Dawn/SwiftShader), e2e tests (Playwright in
// Chromium), one after another, then a summary. Exits non-zero if any stage failed.
import { spawnSync } from 'node:child_process';
import { ensureSystemDeps } from './system-deps.mjs';

const stages = [
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['unit', 'npm', ['run', '--silent', 'test:unit']],
  ['e2e', 'npm', ['run', '--silent', 'test:e2e']],
];
if (!ensureSystemDeps()) process.exit(1);
const only = process.argv.slice(2);
const results = [];
const t0 = Date.now();
for (const [name, cmd, args] of stages) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const s = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  results.push({ name, ok: r.status === 0, seconds: (Date.now() - s) / 1000 });
}
console.log('\n=== summary ===');
for (const r of results)
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(10)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`stages: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
