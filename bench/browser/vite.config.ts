import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { BENCH_CONTENT_SECURITY_POLICY } from '../../scripts/content-security-policy.ts';
import { wgslLoader } from '../../shaders/loader.ts';

const root = resolve(import.meta.dirname, '../..');

// The benchmark page (bench.html), built apart from the app. Cross-origin isolation headers let
// onnxruntime-web's WASM backend use threads (SharedArrayBuffer), as a well-configured site would.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': BENCH_CONTENT_SECURITY_POLICY,
};

export default defineConfig({
  root,
  logLevel: 'warn',
  plugins: [wgslLoader()],
  worker: { format: 'es', plugins: () => [wgslLoader()] },
  build: {
    target: 'es2022',
    outDir: resolve(root, 'bench-output/browser-dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1 << 20,
    rollupOptions: { input: { bench: resolve(root, 'bench.html') } },
  },
  preview: { host: '127.0.0.1', headers: isolation },
  server: { host: '127.0.0.1', headers: isolation },
});
