import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// A new user's first ten minutes, measured (not asserted): the page opened with no preset on
// this machine's adapter, Train pressed, and every minute the step and last loss; the Similarity
// panel's diagonal and off-diagonal means after the first step and at the end. Prints one JSON
// line per sample and writes them all to test-output/first-look.json. `npm run measure:first-look`.

const MINUTES = Number(process.env.FIRST_LOOK_MINUTES ?? 10);

test('first look: ten minutes of training in the page', async ({ page }) => {
  test.setTimeout((MINUTES + 6) * 60_000);
  const t0 = Date.now();
  const samples: Record<string, unknown>[] = [];
  const log = (what: string, extra: Record<string, unknown>) => {
    const row = { what, seconds: Math.round((Date.now() - t0) / 1000), ...extra };
    samples.push(row);
    console.log(JSON.stringify(row));
  };

  await page.goto('/?panel=training');
  const training = page.getByRole('region', { name: 'Training', exact: true });
  log('preset', {
    preset: await training.getByLabel('Preset').inputValue(),
    notice: (await page.getByText(/CPU fallback adapter detected/).allTextContents())[0] ?? null,
  });
  await training.getByRole('button', { name: 'Train', exact: true }).click();
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toBeVisible({ timeout: 300_000 });
  const curve = async () => ({
    step: Number(await chart.getAttribute('data-last-step')),
    loss: Number(await chart.getAttribute('data-last-loss')),
  });
  const open = (title: string) =>
    page
      .getByRole('navigation', { name: 'Panels' })
      .getByRole('button', { name: new RegExp(`^${title}`) })
      .click();
  const similarity = async (what: string) => {
    await open('Similarity');
    const sim = page.getByRole('region', { name: 'Similarity', exact: true });
    const before = await sim
      .getByTestId('similarity-summary')
      .textContent()
      .catch(() => null);
    await sim.getByRole('button', { name: 'Refresh now' }).click();
    await expect(sim.getByTestId('similarity-summary')).not.toHaveText(before ?? '', { timeout: 300_000 });
    log(what, {
      summary: await sim.getByTestId('similarity-summary').textContent(),
      diag: Number(await sim.getByTestId('sim-diag').textContent()),
      off: Number(await sim.getByTestId('sim-off').textContent()),
      ...(await curve()),
    });
    await open('Training');
  };

  log('first step', await curve());
  await similarity('similarity after the first step');
  while (Date.now() - t0 < MINUTES * 60_000 - 90_000) {
    await page.waitForTimeout(60_000);
    log('curve', await curve());
  }
  await similarity(`similarity at ${MINUTES} minutes`);
  writeFileSync('test-output/first-look.json', `${JSON.stringify(samples, null, 1)}\n`);
});
