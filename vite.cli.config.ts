import { defineConfig } from 'vite';
import { wgslLoader } from './shaders/loader.ts';

// Bundles the Node command line (src/cli/main.ts) so that `?raw` WGSL imports resolve exactly as
// they do in the app and in vitest. Dependencies stay external (SSR build default), so dawn.node
// and h5wasm load from node_modules.
export default defineConfig({
  plugins: [wgslLoader()],
  logLevel: 'warn',
  build: {
    ssr: 'src/cli/main.ts',
    outDir: process.env.CROSSPOINT_CLI_OUT ?? 'dist-cli',
    emptyOutDir: false,
    target: 'node20',
    sourcemap: true,
    minify: false,
    rollupOptions: { output: { entryFileNames: 'crosspoint.mjs', format: 'es' } },
  },
});
