import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

// The Embeddings refresh-cost measurement (bench/browser/refresh-cost.measure.ts) on the e2e tests' browser and server.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'refresh-cost.measure.ts',
  reporter: [['list']],
  // A user's fresh profile: no seeded kernel-variant cache (the e2e setup project is not here), so the page runs its probe as a first visit does.
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: { ...(base.webServer as object), cwd: '../..' } as typeof base.webServer,
});
