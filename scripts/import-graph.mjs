#!/usr/bin/env node
/**
 * The import graph of src/, bench/ and shaders/, checked against the layering (`npm run deps`).
 *
 * Reports, and exits 1 when any is found:
 * - an import cycle between files;
 * - an arrow from a lower layer to a higher one (LAYERS, lowest first);
 * - production code importing a TypeScript reference (`*.ref.ts`);
 * - non-test code under src/ importing `vitest` or a helper under test/;
 * - a shader (`shaders/*.wgsl`) imported by production code outside src/kernels (launchers live
 *   there), a shader no launcher imports, an import of a shader that does not exist, a shared part
 *   (`shaders/parts/*.wgsl`) no shader includes, or an `// include:` of a part that does not exist.
 *
 * Kinds of files: tests (`*.test.ts`, `*.spec.ts`) are leaves nobody imports, so they are left
 * out of the layer and cycle checks; references (`*.ref.ts`) and fixtures (`*.fixtures.ts`) are
 * test support and may import references; everything else is production.
 *
 * `node scripts/import-graph.mjs [--json]` (the JSON form is what the test reads).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest first: a file may import from its own layer and the ones before it. */
export const LAYERS = [
  ['util', 'src/util', 'seeded random numbers, the errors every layer may throw'],
  ['gpu', 'src/gpu', 'device, limits, buffers, pipelines'],
  ['io', 'src/io', '.npy, safetensors, state dicts'],
  ['kernels', 'src/kernels', 'WGSL launchers'],
  ['shaders', 'shaders', 'WGSL and its loader (the Vite plugin every config lists)'],
  ['data', 'src/data', 'sample set, rendering, loaders, augmentation'],
  ['nn', 'src/nn', 'layers and models'],
  ['train', 'src/train', 'objective, trainer, presets, config'],
  ['eval', 'src/eval', 'SVM, few-shot, projections, analyses'],
  ['export', 'src/export', 'ONNX'],
  ['worker', 'src/worker', 'the engine worker (transport)'],
  ['ui', 'src/ui', 'React page'],
  ['bench', 'bench', 'benchmarks'],
  ['cli', 'src/cli', 'the command line'],
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCAN = ['src', 'bench', 'shaders'];
const SHADERS = 'shaders';
const LAUNCHERS = 'src/kernels/';
/** Scanned only for who imports what (a src/ file that only these import is a test helper). */
const TEST_DIRS = ['test', 'e2e'];

const isTest = (f) => /\.(test|spec)\.tsx?$/.test(f);
const isRef = (f) => /\.ref\.tsx?$/.test(f);
const isFixture = (f) => /\.fixtures\.tsx?$/.test(f);
const isProduction = (f) => !isTest(f) && !isRef(f) && !isFixture(f);
const inTestDir = (f) => TEST_DIRS.some((d) => f.startsWith(`${d}/`));

function layerOf(file) {
  if (file === 'src/main.tsx') return 'ui';
  for (const [name, dir] of LAYERS) if (file.startsWith(`${dir}/`)) return name;
  return undefined;
}

function walk(dir, out) {
  for (const name of readdirSync(join(ROOT, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) walk(rel, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Specifiers of static imports, `export … from` and dynamic `import('…')`, comments removed. */
export function importSpecifiers(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs = [];
  const patterns = [
    /(?:^|[;\n])\s*import\s+(?:type\s+)?[^'";]*?\s+from\s*['"]([^'"]+)['"]/g,
    /(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g,
    /(?:^|[;\n])\s*export\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) specs.push(m[1]);
  return specs;
}

function resolveRelative(from, spec) {
  const bare = spec.replace(/\?.*$/, '');
  const base = relative(ROOT, resolve(ROOT, dirname(from), bare));
  for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (/\.tsx?$/.test(c) && existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile()) return c;
  }
  return undefined; // a shader, a stylesheet, JSON: not part of the graph
}

/** The shader a relative import names (`shaders/x.wgsl`), or undefined for anything else. */
function shaderOf(from, spec) {
  const bare = spec.replace(/\?.*$/, '');
  return bare.endsWith('.wgsl') ? relative(ROOT, resolve(ROOT, dirname(from), bare)) : undefined;
}

export function buildGraph() {
  const files = [...SCAN, ...TEST_DIRS].flatMap((d) => walk(d, [])).sort();
  /** file → { internal: [file], external: [package], shaders: [shaders/x.wgsl] } */
  const graph = new Map();
  for (const f of files) {
    const internal = new Set();
    const external = new Set();
    const shaders = new Set();
    for (const spec of importSpecifiers(readFileSync(join(ROOT, f), 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolveRelative(f, spec);
        if (target) internal.add(target);
        const shader = shaderOf(f, spec);
        if (shader) shaders.add(shader);
      } else {
        external.add(spec);
      }
    }
    graph.set(f, {
      internal: [...internal].sort(),
      external: [...external].sort(),
      shaders: [...shaders].sort(),
    });
  }
  return graph;
}

/** Shader imports outside the launchers, shaders no launcher imports, imports of missing shaders. */
function checkShaders(graph, isNonTest) {
  const out = { shaderImports: [], orphanShaders: [], missingShaders: [] };
  const used = new Set();
  for (const [f, { shaders }] of graph) {
    for (const s of shaders) {
      if (!existsSync(join(ROOT, s))) out.missingShaders.push(`${f} -> ${s}`);
      if (!isNonTest(f)) continue;
      if (f.startsWith(LAUNCHERS) && isProduction(f)) used.add(s);
      else out.shaderImports.push(`${f} -> ${s} (launchers live in ${LAUNCHERS})`);
    }
  }
  const all = readdirSync(join(ROOT, SHADERS)).filter((n) => n.endsWith('.wgsl') && n !== 'prelude.wgsl');
  for (const n of all) if (!used.has(`${SHADERS}/${n}`)) out.orphanShaders.push(`${SHADERS}/${n}`);
  // Shared parts, included by `// include: parts/x.wgsl` lines (shaders/loader.ts resolves them).
  const included = new Set();
  const partsDir = join(ROOT, SHADERS, 'parts');
  const parts = existsSync(partsDir) ? readdirSync(partsDir).filter((n) => n.endsWith('.wgsl')) : [];
  for (const f of [...all, ...parts.map((n) => `parts/${n}`)]) {
    const text = readFileSync(join(ROOT, SHADERS, f), 'utf8');
    for (const m of text.matchAll(/^\/\/ include: (\S+\.wgsl)\s*$/gm)) {
      included.add(m[1]);
      if (!existsSync(join(ROOT, SHADERS, m[1])))
        out.missingShaders.push(`${SHADERS}/${f} includes ${SHADERS}/${m[1]}`);
    }
  }
  for (const n of parts)
    if (!included.has(`parts/${n}`)) out.orphanShaders.push(`${SHADERS}/parts/${n} (no shader includes it)`);
  return out;
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
function cycles(graph, nodes) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v).internal) {
      if (!nodes.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v).internal.includes(v)) out.push(scc.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return out;
}

export function checkGraph(graph = buildGraph()) {
  const rank = new Map(LAYERS.map(([name], i) => [name, i]));
  const nonTest = new Set([...graph.keys()].filter((f) => !isTest(f) && !inTestDir(f)));
  const problems = {
    cycles: [],
    layerCycles: [],
    upward: [],
    refImports: [],
    testHelpers: [],
    testOnlyInSrc: [],
    unlayered: [],
    ...checkShaders(graph, (f) => !isTest(f) && !inTestDir(f)),
  };
  problems.cycles = cycles(graph, nonTest);
  const layerEdges = new Map();
  for (const f of nonTest) {
    const from = layerOf(f);
    if (!from) problems.unlayered.push(f);
    const { internal, external } = graph.get(f);
    for (const t of internal) {
      const to = layerOf(t);
      if (from && to && from !== to) {
        const key = `${from} -> ${to}`;
        layerEdges.set(key, [...(layerEdges.get(key) ?? []), `${f} -> ${t}`]);
        if (rank.get(to) > rank.get(from)) problems.upward.push(`${from} -> ${to}: ${f} -> ${t}`);
      }
      if (isProduction(f) && isRef(t)) problems.refImports.push(`${f} -> ${t}`);
      if (f.startsWith('src/') && t.startsWith('test/')) problems.testHelpers.push(`${f} -> ${t}`);
    }
    if (f.startsWith('src/')) {
      for (const p of external)
        if (p === 'vitest' || p.startsWith('vitest/')) problems.testHelpers.push(`${f} -> ${p}`);
    }
  }
  // A src/ file that only tests (or test/ and e2e/ helpers) import is a test helper: it belongs in test/.
  const importers = new Map();
  for (const [f, { internal }] of graph) {
    for (const t of internal) importers.set(t, [...(importers.get(t) ?? []), f]);
  }
  for (const [t, from] of importers) {
    if (!t.startsWith('src/') || !isProduction(t)) continue;
    if (from.every((f) => isTest(f) || inTestDir(f))) problems.testOnlyInSrc.push(t);
  }
  // Cycles between layers (each one also shows up as an upward arrow).
  const layerGraph = new Map(LAYERS.map(([name]) => [name, { internal: [] }]));
  for (const key of layerEdges.keys()) {
    const [a, b] = key.split(' -> ');
    layerGraph.get(a).internal.push(b);
  }
  problems.layerCycles = cycles(layerGraph, new Set(layerGraph.keys()));
  const layerArrows = [...layerEdges.entries()]
    .map(([k, v]) => ({ arrow: k, imports: v.length }))
    .sort((a, b) => a.arrow.localeCompare(b.arrow));
  return { layers: LAYERS.map(([name, dir]) => ({ name, dir })), layerArrows, problems };
}

function main() {
  const result = checkGraph();
  const p = result.problems;
  const count = Object.values(p).reduce((n, list) => n + list.length, 0);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const log = (s) => process.stdout.write(`${s}\n`);
    log(`layers, lowest first: ${LAYERS.map(([n]) => n).join(' < ')}`);
    log('arrows between layers (imports):');
    for (const a of result.layerArrows) log(`  ${a.arrow} (${a.imports})`);
    const section = (title, list, fmt = (x) => x) => {
      log(`${title}: ${list.length ? '' : 'none'}`);
      for (const x of list) log(`  ${fmt(x)}`);
    };
    section('file import cycles', p.cycles, (c) => c.join(' <-> '));
    section('layer cycles', p.layerCycles, (c) => c.join(' <-> '));
    section('arrows from a lower layer to a higher one', p.upward);
    section('production code importing a *.ref.ts', p.refImports);
    section('src/ code (not a test) importing vitest or test/', p.testHelpers);
    section('src/ files only tests import (test helpers: move to test/)', p.testOnlyInSrc);
    section('files in no layer', p.unlayered);
    section(`shaders imported outside the launchers`, p.shaderImports);
    section('shaders no launcher imports (parts no shader includes)', p.orphanShaders);
    section('imports (includes) of shaders that do not exist', p.missingShaders);
    log(count ? `FAIL: ${count} problem(s)` : 'OK: no cycle, no upward arrow');
  }
  process.exitCode = count ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
