import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { writeTinySample } from './sample-folder';
import { haveSharedData, sharedDataDir } from '../test/shared-data';

// Your own data in the tab: a folder in CrossPoint's layout, written by `crosspoint sample` into a
// temporary folder with tiny sizes, chosen in the Data panel (read in the tab), trained on; then
// the same folder with broken files: training runs on the good objects and the bad files are listed.

test.describe.configure({ mode: 'serial' });

let page: Page;
let root: string;
let good: string;
let broken: string;
const pageErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  root = mkdtempSync(join(tmpdir(), 'crosspoint-e2e-folder-'));
  good = join(root, 'tiny-sample');
  writeTinySample(good);
  broken = join(root, 'with-broken-files');
  cpSync(good, broken, { recursive: true });
  const chairs = readdirSync(join(broken, '03001627')).sort();
  writeFileSync(
    join(broken, '03001627', chairs[0]!),
    'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nend_header\n1\n',
  ); // cut short
  const lamps = readdirSync(join(broken, '03636649')).sort();
  const lamp = lamps[0]!.replace(/\.ply$/, '');
  writeFileSync(join(broken, 'ShapeNetRendering', '03636649', lamp, 'rendering', '00.png'), 'not a png');
  writeFileSync(join(broken, 'holiday.jpg'), 'x');
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Training a new set replaces the previous test's autosave: the page asks first, the test agrees.
  page.on('dialog', (d) => void d.accept());
});

test.afterAll(async () => {
  await page.close();
  rmSync(root, { recursive: true, force: true });
});

function region(name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

async function open(title: string) {
  await page
    .getByRole('navigation', { name: 'Panels' })
    .getByRole('button', { name: new RegExp(`^${title}`) })
    .click();
  await expect(region(title)).toBeVisible();
}

/** Train until the step counter reaches `steps`, then pause. */
async function trainSteps(steps: number) {
  await open('Training');
  const training = region('Training');
  await training.getByLabel('Batch').fill('4');
  await training.getByLabel('k (neighbours)').fill('5');
  await training.getByRole('button', { name: 'Train', exact: true }).click();
  const status = page.getByRole('status', { name: 'Training status' });
  await expect(status).toContainText('Training', { timeout: 120_000 });
  await expect
    .poll(async () => Number((await status.getByTestId('status-step').textContent())?.trim()), {
      timeout: 240_000,
    })
    .toBeGreaterThanOrEqual(steps);
  await training.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toContainText('Paused', { timeout: 180_000 });
  const loss = Number(await training.getByTestId('train-loss').textContent());
  expect(Number.isFinite(loss) && loss > 0).toBe(true);
}

test("a folder in CrossPoint's layout is read in the tab and trained on", async () => {
  test.setTimeout(480_000);
  await page.goto('/?preset=first-look&seed=1&panel=data');
  const data = region('Data');
  await expect(data.getByTestId('dataset-summary')).toContainText('objects in 13 classes', {
    timeout: 120_000,
  });
  const own = region('Your own data');
  await own.getByLabel('Folder').setInputFiles(good);
  const summary = own.getByTestId('folder-summary');
  await expect(summary).toContainText('tiny-sample: 26 objects in 13 classes');
  await expect(summary).toContainText('up to 2 views each');
  await expect(summary).toContainText('Evaluation sets: test.h5 (hdf5, test), train.h5 (hdf5, train)');
  // The subset: two objects of airplane and chair, two views: its GPU bytes before loading.
  await own.getByLabel('Classes').selectOption(['02691156', '03001627']);
  await own.getByLabel('Views per object').fill('2');
  await expect(own.getByTestId('folder-estimate')).toContainText(
    '4 objects, 128 points and 2 views of 32×32',
  );
  await own.getByLabel('Classes').selectOption('*');
  await expect(own.getByTestId('folder-estimate')).toContainText(
    '26 objects, 128 points and 2 views of 32×32',
  );
  await own.getByRole('button', { name: 'Load folder' }).click();
  await expect(data.getByTestId('dataset-name')).toHaveText('tiny-sample (26 objects)', { timeout: 120_000 });
  await expect(data.getByTestId('load-report')).toContainText('Read 26 of 26 objects from tiny-sample');
  await expect(data.getByTestId('dataset-summary')).toContainText(
    '26 objects in 13 classes — 13 train, 13 test',
  );
  await expect(data.getByTestId('views').getByRole('img')).toHaveCount(2);
  await trainSteps(2);
  // Results name the set they come from.
  await expect(region('Training').getByTestId('dataset-tag')).toContainText(
    'Data: tiny-sample (26 objects) — 26 objects in 13 classes (13 train, 13 test)',
  );
  expect(pageErrors).toEqual([]);
});

test('a folder with broken files trains on the good ones and lists the bad ones', async () => {
  test.setTimeout(480_000);
  await open('Training');
  await region('Training').getByRole('button', { name: 'Reset', exact: true }).click();
  await open('Data');
  const data = region('Data');
  const own = region('Your own data');
  await own.getByLabel('Folder').setInputFiles(broken);
  await expect(own.getByTestId('folder-summary')).toContainText(
    'with-broken-files: 26 objects in 13 classes',
  );
  await expect(own.getByTestId('folder-summary')).toContainText('1 files left out');
  await own.getByRole('button', { name: 'Load folder' }).click();
  await expect(data.getByTestId('dataset-name')).toHaveText('with-broken-files (25 objects)', {
    timeout: 120_000,
  });
  const report = data.getByTestId('load-report');
  await expect(report).toContainText('Read 25 of 26 objects');
  const skipped = data.getByTestId('skipped-files');
  await expect(skipped).toContainText('holiday.jpg: not part of a known layout');
  await expect(skipped).toContainText(/03001627\/chair_\w+\.ply: .*left out/);
  await expect(report).toContainText('1 files read with a note');
  await trainSteps(2);
  expect(pageErrors).toEqual([]);
});

test('ModelNet40-layout .h5 files become the evaluation set; an unreadable .h5 is listed, not fatal', async () => {
  test.skip(!haveSharedData('the e2e evaluation-set test'), 'needs shared/data');
  const dir = join(root, 'modelnet40-h5');
  cpSync(join(sharedDataDir(), 'modelnet40_subset'), dir, { recursive: true });
  writeFileSync(join(dir, 'ply_data_train9.h5'), 'not HDF5 at all');
  await open('Data');
  const own = region('Your own data');
  await own.getByLabel('Folder').setInputFiles(dir);
  const summary = own.getByTestId('folder-summary');
  await expect(summary).toContainText('modelnet40-h5: no training objects.');
  await expect(summary).toContainText(
    'ply_data_test0.h5 (modelnet40, test), ply_data_train0.h5 (modelnet40, train)',
  );
  await own.getByRole('button', { name: 'Use the .h5 files as the evaluation set' }).click();
  const evalSet = own.getByTestId('eval-set');
  await expect(evalSet).toContainText('97 train and 20 test clouds of 2048 points in 39 classes', {
    timeout: 60_000,
  });
  await expect(evalSet).toContainText('1 files left out');
  // The training set loaded before is still the dataset.
  await expect(region('Data').getByTestId('dataset-name')).toHaveText('with-broken-files (25 objects)');
  expect(pageErrors).toEqual([]);
});

test("what pretraining buys on the user's h5: train on a CrossPoint-layout folder, compare on a ModelNet40 h5", async () => {
  test.skip(!haveSharedData('the e2e compare-on-h5 test'), 'needs shared/data');
  test.setTimeout(480_000);
  // A fresh page: this test stands on its own (run alone with -g, or after the ones above).
  await page.goto('/?preset=first-look&seed=1&panel=data');
  const data = region('Data');
  await expect(data.getByTestId('dataset-summary')).toContainText('objects in 13 classes', {
    timeout: 120_000,
  });
  const own = region('Your own data');
  await own.getByLabel('Folder').setInputFiles(good);
  await expect(own.getByTestId('folder-summary')).toContainText('tiny-sample: 26 objects in 13 classes');
  await own.getByRole('button', { name: 'Load folder' }).click();
  await expect(data.getByTestId('dataset-name')).toHaveText('tiny-sample (26 objects)', { timeout: 120_000 });
  await trainSteps(2);

  const dir = join(root, 'modelnet40-eval');
  cpSync(join(sharedDataDir(), 'modelnet40_subset'), dir, { recursive: true });
  await open('Data');
  await own.getByLabel('Folder').setInputFiles(dir);
  await own.getByRole('button', { name: 'Use the .h5 files as the evaluation set' }).click();
  await expect(own.getByTestId('eval-set')).toContainText('97 train and 20 test clouds of 2048 points', {
    timeout: 60_000,
  });

  await open('Few-shot');
  const section = region('What pretraining buys');
  // The loaded evaluation set is what the comparison runs on, named with its counts.
  await expect(section.getByLabel('Compare on')).toHaveValue('eval-set');
  await expect(section).toContainText('the evaluation set modelnet40-eval (97 train, 20 test clouds');
  await section.getByLabel('Random inits').fill('2');
  await section.getByLabel('Draws per budget').fill('1');
  await section.getByLabel('Few-shot episodes').fill('2');
  await section.getByRole('button', { name: 'Compare with random init' }).click();
  const summary = section.getByTestId('pretraining-summary');
  await expect(summary).toContainText(
    /Step \d+ against 2 random inits on the evaluation set modelnet40-eval: /,
    {
      timeout: 300_000,
    },
  );
  await expect(summary).toContainText(
    '97 train, 20 test objects in 17 classes, 128 points each, 128-d features; chance 5.9 %.',
  );
  for (const id of ['efficiency-raw', 'efficiency-standardized']) {
    const plot = section.getByTestId(id);
    for (const part of ['trained-line', 'random-band', 'chance-line'])
      await expect(plot.getByTestId(part)).toHaveCount(1);
  }
  const rows = section.getByRole('table', { name: 'Trained against random init' }).locator('tbody tr');
  await expect(rows).toHaveCount(12);
  await expect(rows.nth(8)).toContainText(
    /^linear SVM, all labelspaper \(raw\)\d+\.\d %\d+\.\d % ± \d+\.\d[+−]\d+\.\d/,
  );
  // A fit that predicts one class is flagged, with its account in the notes.
  const flagged = await section.locator('.degenerate').count();
  if (flagged > 0)
    await expect(section.getByTestId('pretraining-notes')).toContainText('predict a single class');
  // The training set's own split is still one choice away.
  await section.getByLabel('Compare on').selectOption('split');
  await expect(section).toContainText('tiny-sample (26 objects)’s train and test split');
  expect(pageErrors).toEqual([]);
});

test("Classify's out-of-distribution verdict calibrated on the evaluation set's real shapes, and named", async () => {
  test.skip(!haveSharedData('the e2e OOD-reference test'), 'needs shared/data');
  test.setTimeout(480_000);
  // A fresh page: this test stands on its own (run alone with -g, or after the ones above).
  await page.goto('/?preset=first-look&seed=1&panel=data');
  await expect(region('Data').getByTestId('dataset-summary')).toContainText('objects in 13 classes', {
    timeout: 120_000,
  });
  await trainSteps(2);
  const dir = join(root, 'modelnet40-ood');
  cpSync(join(sharedDataDir(), 'modelnet40_subset'), dir, { recursive: true });
  await open('Data');
  const own = region('Your own data');
  await own.getByLabel('Folder').setInputFiles(dir);
  await own.getByRole('button', { name: 'Use the .h5 files as the evaluation set' }).click();
  await expect(own.getByTestId('eval-set')).toContainText('97 train and 20 test clouds', { timeout: 60_000 });

  await open('Classify');
  const cl = region('Classify');
  // ply_data_train0.h5 holds 9 sofas and 5 tables (MANIFEST.md): the reference is those 14 shapes.
  await cl.getByLabel('Out-of-distribution reference').selectOption('train');
  await cl.getByLabel('Reference classes (none chosen: all)').selectOption(['sofa', 'table']);
  const bathtub = join(sharedDataDir(), 'ply', 'open3d', 'bathtub_0154.ply');
  await cl.getByLabel('Point cloud file').setInputFiles(bathtub);
  await expect(cl.getByTestId('classify-file')).toHaveText('bathtub_0154.ply', { timeout: 240_000 });
  const verdict = cl.getByTestId('ood-verdict');
  await expect(cl.getByTestId('ood-reference')).toHaveText(
    'modelnet40-ood, train split, classes sofa, table: 14 shapes of 2 classes',
  );
  await expect(verdict).toContainText(/to the nearest class \((sofa|table)\)/);
  // 14 held-out distances are too few for a 95 % quantile other than the largest.
  await expect(verdict).toContainText('a log-normal fitted to');
  await expect(verdict).toContainText('the 14 reference shapes’ distances');
  await expect(cl.getByTestId('ood-caveat')).toHaveCount(0);
  const m = /distance (\d+\.\d\d) .* threshold (\d+\.\d\d)/.exec((await verdict.textContent()) ?? '')!;
  await expect(cl.getByTestId('far-from-classes')).toHaveCount(Number(m[1]) > Number(m[2]) ? 1 : 0);

  // Back to the training set: the generated set, named, with its caveat.
  await cl.getByLabel('Out-of-distribution reference').selectOption('set');
  await expect(cl.getByLabel('Reference classes (none chosen: all)')).toHaveCount(0);
  await cl.getByLabel('Point cloud file').setInputFiles(bathtub);
  await expect(cl.getByTestId('ood-reference')).toHaveText(/^Generated sample set/, { timeout: 240_000 });
  await expect(cl.getByTestId('ood-caveat')).toHaveCount(1);
  expect(pageErrors).toEqual([]);
});
