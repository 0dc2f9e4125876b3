import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// The Embeddings refresh-cost measurement (bench/browser/refresh-cost.measure.ts) on the e2e tests' browser and server.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'refresh-cost.measure.ts',
  reporter: [['list']],
  webServer: { ...(base.webServer as object), cwd: '../..' } as typeof base.webServer,
});
