import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { writeTinySample } from './sample-folder';

// A set over the GPU budget streams its batches from a cache on disk (OPFS in Chromium's worker).
// The testing knob `?data-budget=BYTES` lowers the tab's 4 GiB budget so a tiny folder written by
// `crosspoint sample` streams; its first steps must give the losses of the same folder resident on
// the GPU with the same seed, exactly, and replacing the set deletes its cache file.

let root: string;
let folder: string;

test.beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'crosspoint-e2e-stream-'));
  folder = join(root, 'stream-sample');
  writeTinySample(folder);
});

test.afterAll(() => rmSync(root, { recursive: true, force: true }));

const region = (page: Page, name: string): Locator => page.getByRole('region', { name, exact: true });

/** The files in the streamed sets' OPFS folder, as the page sees them. */
function cacheFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    // biome-ignore lint/suspicious/noExplicitAny: keys() is missing from the DOM lib's types
    const dir: any = await root.getDirectoryHandle('crosspoint-stream', { create: true });
    const names: string[] = [];
    for await (const name of dir.keys()) names.push(name);
    return names.sort();
  });
}

/** Opens the page, loads the folder and runs `steps` single steps; the exact losses of each. */
async function stepsOnFolder(
  page: Page,
  address: string,
  steps: number,
  streams: boolean,
): Promise<number[]> {
  page.on('dialog', (d) => void d.accept());
  await page.goto(address);
  const data = region(page, 'Data');
  await expect(data.getByTestId('dataset-summary')).toContainText('objects in 13 classes', {
    timeout: 120_000,
  });
  const own = region(page, 'Your own data');
  await own.getByLabel('Folder').setInputFiles(folder);
  await expect(own.getByTestId('folder-summary')).toContainText('stream-sample: 26 objects in 13 classes');
  await own.getByLabel('Views per object').fill('2');
  if (streams)
    await expect(own.getByTestId('folder-streams')).toContainText(
      "Over the tab's 0.0 MiB GPU budget for a dataset (set by the address): this set streams its batches from a cache on disk",
    );
  else await expect(own.getByTestId('folder-streams')).toHaveCount(0);
  await own.getByRole('button', { name: 'Load folder' }).click();
  await expect(data.getByTestId('dataset-name')).toHaveText('stream-sample (26 objects)', {
    timeout: 120_000,
  });
  if (streams) {
    await expect(data.getByTestId('stream-report')).toContainText(
      "Streams from OPFS: the set takes 0.24 MiB, over the tab's budget for a dataset of 0.00 MiB",
    );
    await expect(data.getByTestId('stream-report')).toContainText('Reading an object back takes about');
  } else await expect(data.getByTestId('stream-report')).toHaveCount(0);
  // The views shown come from the cache too.
  await expect(data.getByTestId('views').getByRole('img')).toHaveCount(2);

  await page
    .getByRole('navigation', { name: 'Panels' })
    .getByRole('button', { name: /^Training/ })
    .click();
  const training = region(page, 'Training');
  await training.getByLabel('Batch').fill('4');
  await training.getByLabel('k (neighbours)').fill('5');
  const losses: number[] = [];
  for (let s = 1; s <= steps; s++) {
    await training.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(training.getByTestId('train-step')).toHaveText(String(s), { timeout: 240_000 });
    losses.push(Number(await training.getByTestId('train-loss').getAttribute('data-value')));
  }
  return losses;
}

test('a folder over a lowered GPU budget streams from OPFS and trains to the resident losses exactly', async ({
  browser,
}) => {
  test.setTimeout(600_000);
  const STEPS = 3;
  const residentPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const resident = await stepsOnFolder(residentPage, '/?preset=first-look&seed=1&panel=data', STEPS, false);
  await residentPage.close();
  expect(resident.every((l) => Number.isFinite(l) && l > 0)).toBe(true);

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const streamed = await stepsOnFolder(
    page,
    '/?preset=first-look&seed=1&panel=data&data-budget=1000',
    STEPS,
    true,
  );
  expect(streamed).toEqual(resident);

  // One cache file; replacing the set (the same folder again, after Reset) deletes it.
  const before = await cacheFiles(page);
  expect(before).toHaveLength(1);
  const training = region(page, 'Training');
  await training.getByRole('button', { name: 'Reset', exact: true }).click();
  await expect(training.getByTestId('train-step')).toHaveText('0', { timeout: 120_000 });
  await page.getByRole('navigation', { name: 'Panels' }).getByRole('button', { name: /^Data/ }).click();
  await region(page, 'Your own data').getByRole('button', { name: 'Load folder' }).click();
  await expect(region(page, 'Data').getByTestId('stream-report')).toBeVisible({ timeout: 120_000 });
  await expect.poll(() => cacheFiles(page), { timeout: 30_000 }).toHaveLength(1);
  expect((await cacheFiles(page))[0]).not.toBe(before[0]);
  expect(errors).toEqual([]);
  await page.close();
});
