import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { shaderConstantsWgsl } from '../src/kernels/shader-constants.ts';

/**
 * The one WGSL loader: every `shaders/*.wgsl?raw` import, in the app, its worker, the benchmark
 * page, vitest and the CLI bundle (each Vite config lists this plugin), is the file's text
 * followed by shaders/prelude.wgsl and the shared constants.
 */
const PRELUDE = fileURLToPath(new URL('./prelude.wgsl', import.meta.url));

/** A shader's source as the GPU sees it. */
export function withPrelude(code: string): string {
  return `${code}\n// ---- prelude (shaders/loader.ts) ----\n${readFileSync(PRELUDE, 'utf8')}\n${shaderConstantsWgsl()}\n`;
}

export function wgslLoader(): Plugin {
  return {
    name: 'crosspoint-wgsl-prelude',
    enforce: 'pre',
    load(id) {
      const [file, query] = id.split('?');
      if (!file?.endsWith('.wgsl') || query !== 'raw' || file === PRELUDE) return null;
      this.addWatchFile(file);
      this.addWatchFile(PRELUDE);
      return `export default ${JSON.stringify(withPrelude(readFileSync(file, 'utf8')))};`;
    },
  };
}
