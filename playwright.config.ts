import { defineConfig } from '@playwright/test';
import { SEEDED_STORAGE_STATE } from './e2e/storage-state';

// Debian's Chromium (Playwright cannot download its own browser here). WebGPU needs
// --enable-unsafe-webgpu on Linux and a secure context (http://127.0.0.1 is one).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-output/playwright',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: chromium,
      args: [
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    // Seeds the kernel-variant cache, so the tests' pages do not each run the probe (see the file).
    { name: 'kernel-cache', testMatch: /kernel-cache\.setup\.ts/, use: { browserName: 'chromium' } },
    {
      name: 'chromium',
      use: { browserName: 'chromium', storageState: SEEDED_STORAGE_STATE },
      dependencies: ['kernel-cache'],
    },
  ],
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
