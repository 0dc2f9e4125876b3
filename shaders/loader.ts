import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { shaderConstantsWgsl } from '../src/kernels/shader-constants.ts';

/**
 * The one WGSL loader: every `shaders/*.wgsl?raw` import, in the app, its worker, the benchmark
 * page, vitest and the CLI bundle (each Vite config lists this plugin), is the file's text
 * followed by the shared parts it includes, shaders/prelude.wgsl and the shared constants.
 *
 * A shader includes a part of shaders/parts/ with a line `// include: parts/<name>.wgsl` (a WGSL
 * comment, so the file stays valid WGSL). Parts are appended after the file's own text (WGSL
 * declarations may be used before they appear, and the compiler's line numbers stay the file's),
 * each once, parts of parts included too.
 */
const SHADERS = dirname(fileURLToPath(import.meta.url));
const PRELUDE = join(SHADERS, 'prelude.wgsl');
const INCLUDE = /^\/\/ include: (\S+\.wgsl)\s*$/gm;

/** The parts `code` includes, directly or through other parts, in first-use order (paths under shaders/). */
export function includedParts(code: string, from = 'a shader', seen: string[] = []): string[] {
  for (const m of code.matchAll(INCLUDE)) {
    const part = m[1]!;
    if (seen.includes(part)) continue;
    let text: string;
    try {
      text = readFileSync(join(SHADERS, part), 'utf8');
    } catch {
      throw new Error(`${from} includes shaders/${part}, which does not exist: fix the '// include:' line`);
    }
    seen.push(part);
    includedParts(text, `shaders/${part}`, seen);
  }
  return seen;
}

/** A shader's source as the GPU sees it. */
export function withPrelude(code: string, from?: string): string {
  const parts = includedParts(code, from).map(
    (part) => `// ---- ${part} (included) ----\n${readFileSync(join(SHADERS, part), 'utf8')}\n`,
  );
  return `${code}\n${parts.join('')}// ---- prelude (shaders/loader.ts) ----\n${readFileSync(PRELUDE, 'utf8')}\n${shaderConstantsWgsl()}\n`;
}

export function wgslLoader(): Plugin {
  return {
    name: 'crosspoint-wgsl-prelude',
    enforce: 'pre',
    load(id) {
      const [file, query] = id.split('?');
      if (!file?.endsWith('.wgsl') || query !== 'raw' || file === PRELUDE) return null;
      const code = readFileSync(file, 'utf8');
      this.addWatchFile(file);
      this.addWatchFile(PRELUDE);
      for (const part of includedParts(code, file)) this.addWatchFile(join(SHADERS, part));
      return `export default ${JSON.stringify(withPrelude(code, file))};`;
    },
  };
}
