import { expect, type Page, test } from '@playwright/test';

// "What pretraining buys" in the Few-shot panel: one training step of the first-look preset on a
// small generated set, then the trained encoder against two random inits, drawn as two
// label-efficiency plots (chance line, random-init band) and a table of paired differences.

test('what pretraining buys: trained against random inits on the generated split, plotted with SEs', async ({
  page,
}: {
  page: Page;
}) => {
  test.setTimeout(600_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const region = (name: string) => page.getByRole('region', { name, exact: true });
  const open = async (title: string) => {
    await page
      .getByRole('navigation', { name: 'Panels' })
      .getByRole('button', { name: new RegExp(`^${title}`) })
      .click();
    await expect(region(title)).toBeVisible();
  };
  await page.goto('/?preset=first-look&seed=1&panel=data');
  const data = region('Data');
  await expect(data.getByTestId('dataset-summary')).toContainText('objects in 13 classes', {
    timeout: 180_000,
  });
  // 3 objects per class: 2 train, 1 test.
  await data.getByLabel('Objects per class').fill('3');
  await data.getByRole('button', { name: 'Generate' }).click();
  await expect(data.getByTestId('dataset-summary')).toContainText(
    '39 objects in 13 classes — 26 train, 13 test',
    {
      timeout: 180_000,
    },
  );

  await open('Training');
  await region('Training').getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByTestId('status-step')).toHaveText('1', { timeout: 240_000 });

  await open('Few-shot');
  const section = region('What pretraining buys');
  await expect(section).toContainText('random inits of the same architecture');
  await section.getByLabel('Random inits').fill('2');
  await section.getByLabel('Draws per budget').fill('2');
  await section.getByLabel('Few-shot episodes').fill('2');
  await section.getByRole('button', { name: 'Compare with random init' }).click();
  await expect(section.getByTestId('pretraining-summary')).toContainText(
    'Step 1 against 2 random inits on Generated sample set',
    { timeout: 300_000 },
  );
  await expect(section.getByTestId('pretraining-summary')).toContainText(
    '26 train, 13 test objects in 13 classes, 128 points each, 128-d features; chance 7.7 %.',
  );
  // Two plots (paper's protocol, standardised), each with the trained line, the band of the
  // random inits and chance, over 1, 2, 5, 10 and all labels per class.
  for (const id of ['efficiency-raw', 'efficiency-standardized']) {
    const plot = section.getByTestId(id);
    for (const part of ['trained-line', 'random-band', 'random-mean', 'chance-line'])
      await expect(plot.getByTestId(part)).toHaveCount(1);
    await expect(plot.locator('circle')).toHaveCount(5);
    await expect(plot).toContainText('labels per class');
  }
  // The table: five curve points and few-shot, each under both protocols, with SEs.
  const rows = section.getByRole('table', { name: 'Trained against random init' }).locator('tbody tr');
  await expect(rows).toHaveCount(12);
  await expect(rows.first()).toContainText(
    /^1 per class \(2 draws\)paper \(raw\)\d+\.\d %\d+\.\d %( ± \d+\.\d)?[+−]\d+\.\d( ± \d+\.\d)?/,
  );
  await expect(rows.nth(8)).toContainText(/^linear SVM, all labelspaper \(raw\)/);
  await expect(rows.nth(10)).toContainText(/^few-shot 5-way \d-shot, 1 query/);
  expect(errors).toEqual([]);
});
