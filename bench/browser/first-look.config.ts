import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// The first-look measurement (bench/browser/first-look.measure.ts) on the e2e tests' browser and server.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'first-look.measure.ts',
  reporter: [['list']],
  // The page's server runs from the repository root, as for the e2e tests.
  webServer: { ...(base.webServer as object), cwd: '../..' } as typeof base.webServer,
});
