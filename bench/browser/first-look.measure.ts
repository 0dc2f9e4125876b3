import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// A new user's first ten minutes, measured (not asserted): the page opened with no preset on
// this machine's adapter, Train pressed, and every minute the step and last loss; the Similarity
// panel's diagonal and off-diagonal means after the first step and at the end; then few-shot at
// the panel's defaults, trained against random init. Prints one JSON
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
    const atOpen = (await curve()).step;
    await open('Similarity');
    const sim = page.getByRole('region', { name: 'Similarity', exact: true });
    const summary = sim.getByTestId('similarity-summary');
    const refresh = sim.getByRole('button', { name: 'Refresh now' });
    // The panel refreshes itself when opened; a matrix older than the step at opening is refreshed.
    const shownStep = async () => {
      if ((await summary.count()) === 0) return -1;
      const m = ((await summary.textContent()) ?? '').match(/at step (\d+)/);
      return m ? Number(m[1]) : -1;
    };
    await expect
      .poll(
        async () => {
          const s = await shownStep();
          if (s >= 0 && s < atOpen && (await refresh.isEnabled())) await refresh.click();
          return s;
        },
        { timeout: 600_000, intervals: [2000] },
      )
      .toBeGreaterThanOrEqual(atOpen);
    const shown = {
      summary: await summary.textContent(),
      diag: Number(await sim.getByTestId('sim-diag').textContent()),
      off: Number(await sim.getByTestId('sim-off').textContent()),
      retrieval: ((await sim.getByTestId('retrieval').textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    };
    await open('Training');
    log(what, { ...shown, ...(await curve()) });
  };

  log('first step', await curve());
  await similarity('similarity after the first step');
  while (Date.now() - t0 < MINUTES * 60_000 - 90_000) {
    await page.waitForTimeout(60_000);
    log('curve', await curve());
  }
  await similarity(`similarity at ${MINUTES} minutes`);
  // Few-shot at the panel's defaults, trained against random init on the same episodes.
  await open('Few-shot');
  const fs = page.getByRole('region', { name: 'Few-shot', exact: true });
  const form = Object.fromEntries(
    await Promise.all(
      ['N-way', 'K-shot', 'Queries per class', 'Episodes'].map(async (l) => [
        l,
        await fs.getByLabel(l, { exact: true }).inputValue(),
      ]),
    ),
  );
  await fs.getByRole('button', { name: 'Run episodes' }).click();
  await expect(fs.getByTestId('fewshot-difference')).toBeVisible({ timeout: 600_000 });
  log('few-shot at the defaults', {
    form,
    trained: await fs.getByTestId('fewshot-trained').locator('.big-number').textContent(),
    random: await fs.getByTestId('fewshot-random').locator('.big-number').textContent(),
    difference: await fs.getByTestId('fewshot-difference').textContent(),
  });
  // Playwright runs this from bench/browser, where test-output/ may not exist yet.
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/first-look.json', `${JSON.stringify(samples, null, 1)}\n`);
});
