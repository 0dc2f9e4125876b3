import { defineConfig } from 'vitest/config';
import { wgslLoader } from './shaders/loader.ts';

// dawn.node reads VK_ICD_FILENAMES when it loads; set it here in the main process so every pool
// (forks and threads alike) inherits it. The npm script sets it too.
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
process.env.NODEVICE_SELECT ??= '1';

export default defineConfig({
  plugins: [wgslLoader()],
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
