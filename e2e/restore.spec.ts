import { expect, type Page, test } from '@playwright/test';

// A reload in the middle of training, then Resume: the autosave comes back with its curves (one
// point per step from step 1), training goes on from it, and no GPU error shows at any point.
// Resume is pressed at once after the reload, while the sample set is still being generated, so
// the restore has to wait for the data it needs.

function stepNumber(text: string | null): number {
  return Number((text ?? '').trim());
}

// All three attributes in one read: a step arriving between separate reads would pair one
// render's point count with the next render's last step.
async function chartExtent(page: Page) {
  return page.getByTestId('loss-chart').evaluate((el) => ({
    points: Number(el.getAttribute('data-points')),
    first: Number(el.getAttribute('data-first-step')),
    last: Number(el.getAttribute('data-last-step')),
  }));
}

test('reload mid-training, resume: the curves are intact and no GPU error appears', async ({ page }) => {
  test.setTimeout(900_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const gpuErrors: string[] = [];
  page.on('console', (m) => {
    if (/GpuValidationError|used in submit while destroyed/.test(m.text())) gpuErrors.push(m.text());
  });

  await page.goto('/?preset=first-look&seed=7&panel=training');
  const training = page.getByRole('region', { name: 'Training', exact: true });
  await expect(training.getByLabel('Preset')).toHaveValue('first-look');
  await training.getByLabel('Autosave every (steps)').fill('2');
  await training.getByRole('button', { name: 'Train', exact: true }).click();
  const status = page.getByRole('status', { name: 'Training status' });
  await expect(status).toContainText('Training', { timeout: 300_000 });

  // The autosave line follows the autosaves while training runs.
  const autosave = training.getByTestId('autosave-line');
  await expect
    .poll(async () => Number((await autosave.getAttribute('data-step').catch(() => null)) ?? 0), {
      timeout: 300_000,
    })
    .toBeGreaterThanOrEqual(4);
  await expect(autosave).toHaveText(/^Autosaved at step \d+, \d\d:\d\d:\d\d /);
  // Still training when the page goes away.
  await expect(status).toContainText('Training');
  const before = await chartExtent(page);
  expect(before.first).toBe(1);
  expect(before.points).toBe(before.last); // one point per step so far
  const reachedBefore = stepNumber(await status.getByTestId('status-step').textContent());
  expect(reachedBefore).toBeGreaterThanOrEqual(4);

  await page.reload();
  const banner = page.getByRole('region', { name: 'Resume training' });
  await expect(banner).toBeVisible({ timeout: 120_000 });
  await expect(banner).toContainText(/Resume training from step \d+ \(autosaved \d\d:\d\d\)\?/);
  const offered = Number((await banner.textContent())!.match(/from step (\d+)/)![1]);
  expect(offered).toBeGreaterThanOrEqual(4);
  expect(offered).toBeLessThanOrEqual(reachedBefore);
  await banner.getByRole('button', { name: 'Resume' }).click();
  await expect(banner).toBeHidden();

  // The restored curve: every step from 1 to the autosave's, then training goes on from there.
  await expect(status).toContainText('Training', { timeout: 300_000 });
  const restored = await chartExtent(page);
  expect(restored.first).toBe(1);
  expect(restored.last).toBeGreaterThanOrEqual(offered);
  expect(restored.points).toBe(restored.last);
  await expect(training).toContainText(`Resumed training from the autosave of step ${offered}.`);
  // Training on until the curve has at least as many points as before the reload, none missing.
  await expect
    .poll(async () => (await chartExtent(page)).points, { timeout: 400_000 })
    .toBeGreaterThanOrEqual(before.points);
  const after = await chartExtent(page);
  expect(after.first).toBe(1);
  expect(after.points).toBe(after.last);

  await training.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toContainText('Paused', { timeout: 300_000 });
  // No GPU error and no stale error anywhere on the page.
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(training.locator('.error-note')).toHaveCount(0);
  expect(gpuErrors).toEqual([]);
  expect(pageErrors).toEqual([]);
});
