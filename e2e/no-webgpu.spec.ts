import { expect, test } from '@playwright/test';

test.describe('without WebGPU', () => {
  test('a browser without navigator.gpu gets a plain explanation, not a crash', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      // Simulate a browser that has no WebGPU at all.
      delete (Navigator.prototype as unknown as Record<string, unknown>).gpu;
    });
    await page.goto('/');
    const alert = page.getByRole('alert').filter({ hasText: 'WebGPU is not available' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('navigator.gpu is missing');
    await expect(alert).toContainText('--enable-unsafe-webgpu');
    await expect(alert).toContainText('Chrome');
    expect(errors).toEqual([]);
  });
});
