import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// The Parts panel's first-look measurement (bench/browser/parts-first-look.measure.ts) on the e2e
// tests' browser and server, with a fresh profile as first-look.config.ts.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'parts-first-look.measure.ts',
  reporter: [['list']],
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: { ...(base.webServer as object), cwd: '../..' } as typeof base.webServer,
});
