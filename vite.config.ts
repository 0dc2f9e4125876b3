import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { wgslLoader } from './shaders/loader.ts';

export default defineConfig({
  plugins: [wgslLoader(), react()],
  worker: { format: 'es', plugins: () => [wgslLoader()] },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
