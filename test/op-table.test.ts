import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The op table of docs/ARCHITECTURE.md (### Ops) against the tree: every shader has its row, every
// file a row names exists and is named by the rule shaders/X.wgsl ↔ src/kernels/X.ts ↔ X.ref.ts ↔
// X.test.ts, and each launcher imports its shader and exports the plan the row names.

const ROOT = join(import.meta.dirname, '..');
const DOC = 'docs/ARCHITECTURE.md';
const KERNELS = 'src/kernels';
const NONE = '—';
const COLUMNS = ['shader', 'launcher', 'plan', 'reference', 'test', 'bench', 'note'] as const;
type Row = Record<(typeof COLUMNS)[number], string>;

function opTable(): Row[] {
  const doc = readFileSync(join(ROOT, DOC), 'utf8');
  const start = doc.indexOf('### Ops');
  if (start < 0) throw new Error(`${DOC} has no '### Ops' section: the op table lives there`);
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| shader |'));
  if (first < 0) throw new Error(`${DOC} (### Ops) has no table starting with '| shader |'`);
  const rows: Row[] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== COLUMNS.length)
      throw new Error(`${DOC} op table: '${line}' has ${cells.length} cells, not 7`);
    rows.push(Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]!])) as Row);
  }
  return rows;
}

const shaders = readdirSync(join(ROOT, 'shaders'))
  .filter((f) => f.endsWith('.wgsl') && f !== 'prelude.wgsl')
  .sort();
const rows = opTable();
const stem = (f: string) => f.replace(/\.(wgsl|ts)$/, '');
const pascal = (s: string) => s.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());
const rowText = (r: Row) => `| ${COLUMNS.map((c) => r[c]).join(' | ')} |`;

describe(`op table of ${DOC} (### Ops)`, () => {
  it('has one row per shader', () => {
    for (const f of shaders) {
      const n = rows.filter((r) => r.shader === f).length;
      const op = stem(f);
      expect(
        n,
        n === 0
          ? `shaders/${f} has no row in the op table of ${DOC} (### Ops): add ` +
              `'| ${f} | ${op}.ts | plan${pascal(op)} | ${op}.ref.ts | ${op}.test.ts | ${NONE} | |' ` +
              '(the bench column names its bench/<case>.bench.ts, or —)'
          : `shaders/${f} has ${n} rows in the op table of ${DOC}: keep one`,
      ).toBe(1);
    }
    for (const r of rows) {
      if (r.shader !== NONE)
        expect(shaders, `the op table row '${rowText(r)}' names a shader not in shaders/`).toContain(
          r.shader,
        );
    }
  });

  it.each(rows.map((r) => [r.shader === NONE ? r.launcher : r.shader, r] as const))(
    '%s: files exist and follow the naming rule',
    (_name, r) => {
      const where = `op table row '${rowText(r)}' (${DOC})`;
      const op = stem(r.launcher);
      if (r.shader !== NONE) {
        const s = stem(r.shader);
        expect(
          s === op || s.startsWith(`${op}_`),
          `${where}: shaders/${r.shader} is launched by src/kernels/${s}.ts (or, for a part of an op, <op>.ts with the shader named <op>_<part>.wgsl)`,
        ).toBe(true);
      }
      for (const col of ['launcher', 'test'] as const) {
        expect(
          existsSync(join(ROOT, KERNELS, r[col])),
          `${where}: src/kernels/${r[col]} does not exist`,
        ).toBe(true);
      }
      expect(r.test, `${where}: the test is named <op>.test.ts`).toBe(`${op}.test.ts`);
      if (r.reference === NONE) {
        expect(r.note, `${where}: no reference needs a note saying why`).not.toBe('');
      } else {
        expect(
          existsSync(join(ROOT, KERNELS, r.reference)),
          `${where}: src/kernels/${r.reference} does not exist`,
        ).toBe(true);
        // A baseline may share the reference of the op it is a baseline for (knn_naive: knn.ref.ts).
        expect(
          op.startsWith(stem(r.reference.replace(/\.ref\.ts$/, ''))),
          `${where}: reference named <op>.ref.ts`,
        ).toBe(true);
      }
      if (r.bench !== NONE) {
        expect(
          existsSync(join(ROOT, 'bench', `${r.bench}.bench.ts`)),
          `${where}: bench/${r.bench}.bench.ts does not exist`,
        ).toBe(true);
      }
      const src = readFileSync(join(ROOT, KERNELS, r.launcher), 'utf8');
      expect(r.plan.toLowerCase(), `${where}: the plan is named after the launcher file`).toBe(
        `plan${op.replace(/_/g, '')}`.toLowerCase(),
      );
      expect(src, `${where}: src/kernels/${r.launcher} does not export ${r.plan}`).toMatch(
        new RegExp(`export (async )?function ${r.plan}\\b`),
      );
      if (r.shader !== NONE) {
        // The launcher, or a companion <op>-<what>.ts of it (edgeconv-params.ts), imports the shader.
        const importers = readdirSync(join(ROOT, KERNELS)).filter(
          (f) => (f === r.launcher || f.startsWith(`${op}-`)) && !/\.(test|ref)\.ts$/.test(f),
        );
        expect(
          importers.some((f) =>
            readFileSync(join(ROOT, KERNELS, f), 'utf8').includes(`shaders/${r.shader}?raw`),
          ),
          `${where}: neither src/kernels/${r.launcher} nor a companion ${op}-*.ts imports shaders/${r.shader}`,
        ).toBe(true);
      }
    },
  );

  it('lists every launcher in src/kernels (a file exporting a plan function)', () => {
    const launchers = new Set(rows.map((r) => stem(r.launcher)));
    for (const f of readdirSync(join(ROOT, KERNELS))) {
      if (!f.endsWith('.ts') || /\.(test|ref|fixtures)\.ts$/.test(f)) continue;
      const src = readFileSync(join(ROOT, KERNELS, f), 'utf8');
      if (!/export (async )?function plan[A-Z]/.test(src)) continue;
      // A companion (<op>-<what>.ts) belongs to its op's row.
      const op = stem(f).split('-')[0]!;
      expect(
        launchers.has(op),
        `src/kernels/${f} exports a plan but has no row in the op table of ${DOC} (### Ops); ` +
          `name it after its shader, or <op>-<what>.ts for a part of a listed op`,
      ).toBe(true);
    }
  });
});
