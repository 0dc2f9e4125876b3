#!/usr/bin/env node
// Turns the JSON lines of `crosspoint bench` / `npm run bench:browser` (stdin) into Markdown
// tables, one per section, for docs/PERFORMANCE.md:  node bench/markdown.mjs < run.jsonl
import { readFileSync } from 'node:fs';

const cases = readFileSync(0, 'utf8')
  .split('\n')
  .filter((l) => l.trim().startsWith('{'))
  .map((l) => JSON.parse(l));

const fmt = (v) => {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(1);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
};

for (const section of [...new Set(cases.map((c) => c.section))]) {
  const rows = cases.filter((c) => c.section === section);
  const figs = [...new Set(rows.flatMap((c) => Object.keys(c.figures)))].filter((f) => f !== 'timing');
  const ratios = [...new Set(rows.flatMap((c) => Object.keys(c.ratios)))];
  const header = ['case', ...figs, ...ratios];
  console.log(`### ${section}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const c of rows) {
    const cells = [
      c.name,
      ...figs.map((f) => fmt(c.figures[f])),
      ...ratios.map((r) => (c.ratios[r] === undefined ? '' : `${c.ratios[r].toFixed(2)}×`)),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
  console.log('');
}
