import { expect, type Page, test } from '@playwright/test';

// A run's life in the page: its settings survive a resume from a bare address, it finishes at its
// configured end and trains on when asked, the preset is chosen once the adapter is known, nothing
// unsaved is discarded without a question, and few-shot runs while training goes on. Tiny runs
// (3 objects per class, batch 4: 6 steps an epoch) keep each test short on SwiftShader.

const SETTINGS = 'batch=4&lr=0.003&wd=0&temp=0.2&k=6&epochs=1&autosave=2&per-class=3&views=1';

const training = (page: Page) => page.getByRole('region', { name: 'Training', exact: true });
const status = (page: Page) => page.getByRole('status', { name: 'Training status' });

/** Answers the next dialog (confirm) with `accept`, returning its message. */
function nextDialog(page: Page, accept: boolean): Promise<string> {
  return new Promise((resolve) => {
    page.once('dialog', (d) => {
      resolve(d.message());
      void (accept ? d.accept() : d.dismiss());
    });
  });
}

test('a resume from a bare address restores every setting and trains to the configured end; then train more', async ({
  page,
}) => {
  test.setTimeout(900_000);
  await page.goto(`/?preset=first-look&seed=1&panel=training&${SETTINGS}`);
  const t = training(page);
  await expect(t.getByLabel('Batch')).toHaveValue('4');
  await t.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status(page)).toContainText('Training', { timeout: 300_000 });
  const autosave = t.getByTestId('autosave-line');
  await expect
    .poll(async () => Number((await autosave.getAttribute('data-step').catch(() => null)) ?? 0), {
      timeout: 300_000,
    })
    .toBeGreaterThanOrEqual(2);

  // A bare address: every setting has to come back from the autosave.
  await page.goto('/?panel=training');
  const banner = page.getByRole('region', { name: 'Resume training' });
  await expect(banner).toBeVisible({ timeout: 120_000 });
  await banner.getByRole('button', { name: 'Resume' }).click();
  await expect(t.getByLabel('Preset')).toHaveValue('first-look');
  for (const [label, value] of [
    ['Batch', '4'],
    ['Learning rate', '0.003'],
    ['Weight decay', '0'],
    ['Temperature', '0.2'],
    ['k (neighbours)', '6'],
    ['Epochs', '1'],
    ['Autosave every (steps)', '2'],
  ] as const)
    await expect(t.getByLabel(label, { exact: true })).toHaveValue(value);
  for (const part of SETTINGS.split('&')) expect(page.url()).toContain(part);

  // It trains on to its configured end (1 epoch: 6 steps), says so, and autosaves the last step.
  const finished = t.getByTestId('run-finished');
  await expect(finished).toBeVisible({ timeout: 600_000 });
  await expect(status(page)).toContainText('Finished (step 6 of 6)');
  await expect(t.getByTestId('train-epoch')).toHaveText('1 / 1');
  await expect(autosave).toHaveAttribute('data-step', '6');
  await expect(t.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(finished).toContainText('The cosine schedule is recomputed over');

  // Train 1 more epoch: the run goes on to step 12 and finishes again, the address follows.
  await finished.getByLabel('More epochs').fill('1');
  await finished.getByRole('button', { name: 'Train 1 more epochs' }).click();
  await expect(status(page)).toContainText('Finished (step 12 of 12)', { timeout: 600_000 });
  await expect(t.getByTestId('train-epoch')).toHaveText('2 / 2');
  await expect(autosave).toHaveAttribute('data-step', '12');
  expect(page.url()).toContain('epochs=2');
});

test('a reload before the engine is ready keeps the CPU preset; heavy presets and bad values are reported', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto('/?panel=training');
  // Before the adapter is known the address names no preset, so a reload cannot pin one.
  expect(page.url()).not.toContain('preset=');
  await page.reload();
  const t = training(page);
  await expect(t.getByTestId('preset-note')).toContainText('CPU fallback adapter detected', {
    timeout: 120_000,
  });
  await expect(t.getByLabel('Preset')).toHaveValue('first-look');
  expect(page.url()).toContain('preset=first-look');

  await page.goto('/?preset=tiny&seed=-5&panel=training');
  await expect(t.getByTestId('preset-note')).toContainText(
    /the tiny preset \(from the address\) takes about 11 s per step/,
    {
      timeout: 120_000,
    },
  );
  await expect(t.getByLabel('Preset')).toHaveValue('tiny');
  await expect(
    page.getByText("The address's seed=-5 is not a seed (an integer ≥ 0); seed 1 is used."),
  ).toBeVisible();
});

test('Reset asks before discarding unsaved steps; a new run asks before replacing an autosave; Discard deletes it', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await page.goto(
    `/?preset=first-look&seed=2&panel=training&${SETTINGS.replace('autosave=2', 'autosave=100')}`,
  );
  const t = training(page);
  const step = t.getByRole('button', { name: 'Step', exact: true });
  await step.click();
  await expect(t.getByTestId('train-step')).toHaveText('1', { timeout: 300_000 });
  await step.click();
  await expect(t.getByTestId('train-step')).toHaveText('2', { timeout: 300_000 });

  const asked = nextDialog(page, false);
  await t.getByRole('button', { name: 'Reset', exact: true }).click();
  expect(await asked).toBe(
    'Reset discards the model at step 2: its last 2 steps are in no checkpoint. (The autosave, if any, stays.) Reset?',
  );
  await expect(t.getByTestId('train-step')).toHaveText('2');

  // Saved, then Reset: nothing to lose, no question; the autosave line stays.
  await t.getByRole('button', { name: 'Save checkpoint' }).click();
  await expect(t).toContainText('Saved step 2 in this browser.');
  let questions = 0;
  const count = () => questions++;
  page.on('dialog', count);
  await t.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(t.getByTestId('train-step')).toHaveText('0', { timeout: 120_000 });
  page.off('dialog', count);
  expect(questions).toBe(0);

  // Pause autosaves; after a Reset, a new run asks before replacing that autosave.
  await step.click();
  await expect(t.getByTestId('train-step')).toHaveText('1', { timeout: 300_000 });
  await t.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status(page)).toContainText('Training', { timeout: 120_000 });
  await t.getByRole('button', { name: 'Pause' }).click();
  await expect(status(page)).toContainText('Paused', { timeout: 300_000 });
  const autosave = t.getByTestId('autosave-line');
  await expect(autosave).toBeVisible();
  await t.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(t.getByTestId('train-step')).toHaveText('0', { timeout: 120_000 });
  await expect(autosave).toBeVisible();
  const replace = nextDialog(page, false);
  await t.getByRole('button', { name: 'Train', exact: true }).click();
  expect(await replace).toMatch(
    /^An autosave of step \d+ \(an earlier run of this preset and seed\) is kept/,
  );
  await expect(status(page)).toContainText('Not started');

  const discard = nextDialog(page, true);
  await t.getByRole('button', { name: 'Discard autosave' }).click();
  expect(await discard).toMatch(/^Delete the autosave of step \d+ from this browser\?/);
  await expect(t).toContainText('No autosave yet for this preset and seed.', { timeout: 60_000 });
});

test('few-shot runs on a snapshot of the weights while training goes on', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(`/?preset=first-look&seed=4&panel=training&${SETTINGS.replace('epochs=1', 'epochs=50')}`);
  const t = training(page);
  await t.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status(page)).toContainText('Training', { timeout: 300_000 });
  await page
    .getByRole('navigation', { name: 'Panels' })
    .getByRole('button', { name: /^Few-shot/ })
    .click();
  const fs = page.getByRole('region', { name: 'Few-shot' });
  await expect(fs.getByTestId('fewshot-snapshot-note')).toBeVisible();
  await fs.getByLabel('N-way').fill('3');
  await fs.getByLabel('K-shot').fill('1');
  await fs.getByLabel('Queries per class').fill('1');
  await fs.getByLabel('Episodes', { exact: true }).fill('2');
  await fs.getByRole('button', { name: 'Run episodes' }).click();
  await expect(fs.getByTestId('fewshot-summary')).toContainText('3-way 1-shot', { timeout: 400_000 });
  await expect(fs.getByTestId('fewshot-trained').locator('.big-number')).toHaveText(/^\d+\.\d ± \d+\.\d %$/);
  // Training went on the whole time.
  await expect(status(page)).toContainText('Training');
});
