import { expect, test } from '@playwright/test';

// Without --enable-unsafe-webgpu, Chromium on Linux exposes navigator.gpu but returns no adapter.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [] } });

test('WebGPU present but no adapter: the worker reports it and the page says what to do', async ({
  page,
}) => {
  await page.goto('/');
  const alert = page.getByRole('alert').filter({ hasText: 'WebGPU is not available' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('no GPU adapter');
  await expect(alert).toContainText('--enable-unsafe-webgpu');
  await expect(page.getByRole('region', { name: 'Engine' })).toHaveCount(0);
});
