import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { CONTENT_SECURITY_POLICY, devContentSecurityPolicy } from './scripts/content-security-policy.ts';
import { wgslLoader } from './shaders/loader.ts';

export default defineConfig({
  plugins: [wgslLoader(), react(), devContentSecurityPolicy()],
  worker: { format: 'es', plugins: () => [wgslLoader()] },
  server: { host: '127.0.0.1', port: 5173 },
  // The header covers the worker too (index.html's meta tag covers only the page).
  preview: { host: '127.0.0.1', port: 4173, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
