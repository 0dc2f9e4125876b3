import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** Specifiers a bundle follows: imports and re-exports, not `import type` / `export type` (erased). */
function bundledSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  for (const m of code.matchAll(
    /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s*)?['"]([^'"]+)['"]/g,
  ))
    if (!m[2]) specs.push(m[4]!);
  return specs;
}

/** Every file the page's main bundle reaches by static imports from `entry`, and the WGSL among them. */
function pageImports(entry: string) {
  const seen = new Set<string>();
  const shaders: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(join(ROOT, file), 'utf8');
    for (const spec of bundledSpecifiers(src)) {
      if (!spec.startsWith('.')) continue;
      const bare = relative(ROOT, resolve(ROOT, dirname(file), spec.replace(/\?.*$/, '')));
      if (bare.endsWith('.wgsl')) {
        shaders.push(`${file} → ${bare}`);
        continue;
      }
      const hit = [bare, `${bare}.ts`, `${bare}.tsx`, `${bare}/index.ts`].find(
        (c) => /\.tsx?$/.test(c) && existsSync(join(ROOT, c)),
      );
      if (hit) visit(hit);
    }
  };
  visit(entry);
  return { files: seen, shaders };
}

describe('the page bundle', () => {
  // The engine worker (its own bundle, started with new Worker(new URL(…))) holds the kernels;
  // the page imports the training form's check, presets and kNN limits, never a shader.
  it('pulls no WGSL file: the training form reaches the kNN limits, not the kNN kernel', () => {
    const { files, shaders } = pageImports('src/main.tsx');
    expect(files.has('src/ui/panels/TrainingPanel.tsx')).toBe(true);
    expect(files.has('src/train/train-config.ts')).toBe(true);
    expect(files.has('src/kernels/knn-limits.ts')).toBe(true);
    expect(files.has('src/kernels/knn.ts')).toBe(false);
    expect(shaders).toEqual([]);
  });
});
