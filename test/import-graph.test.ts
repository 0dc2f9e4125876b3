import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The layering check of scripts/import-graph.mjs (`npm run deps`), read as JSON.
interface GraphReport {
  layers: { name: string; dir: string }[];
  layerArrows: { arrow: string; imports: number }[];
  problems: Record<string, unknown[]>;
}

function report(): GraphReport {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['scripts/import-graph.mjs', '--json'], { encoding: 'utf8' });
  } catch (e) {
    // Exit 1 when problems are found; the JSON is on stdout all the same.
    out = (e as { stdout: string }).stdout;
  }
  return JSON.parse(out) as GraphReport;
}

describe('import graph of src/, bench/ and shaders/', () => {
  const r = report();

  it('sees the real graph (the layers import each other downward)', () => {
    const arrows = r.layerArrows.map((a) => a.arrow);
    expect(arrows).toContain('kernels -> gpu');
    expect(arrows).toContain('nn -> kernels');
    expect(arrows).toContain('cli -> train');
    expect(arrows).toContain('ui -> worker');
  });

  for (const name of [
    'cycles',
    'layerCycles',
    'upward',
    'refImports',
    'testHelpers',
    'testOnlyInSrc',
    'unlayered',
    'shaderImports',
    'orphanShaders',
    'missingShaders',
  ]) {
    it(`has no ${name}`, () => {
      expect(r.problems[name]).toEqual([]);
    });
  }
});
