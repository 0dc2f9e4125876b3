import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';

// The Parts panel at tiny sizes: fine-tune both runs a couple of epochs (the test-split
// instance mIoU appears as a number), colour a dropped chair with part labels, then the bad
// inputs: parts outside the category, no labels, k larger than the points.

test.describe.configure({ mode: 'serial' });

let page: Page;
let dir: string;
const pageErrors: string[] = [];

/** A chair-like cloud of `n` points: seat (part 15), back (13), four legs (14); ShapeNetPart's global ids. */
function chairText(n: number, withParts: boolean, partOverride?: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = ((i * 37) % 101) / 101 - 0.5;
    const v = ((i * 53) % 97) / 97 - 0.5;
    let xyz: number[];
    let part: number;
    if (i % 3 === 0) {
      xyz = [u, 0, v];
      part = 15;
    } else if (i % 3 === 1) {
      xyz = [u, 0.5 + v, -0.5];
      part = 13;
    } else {
      const leg = i % 4;
      xyz = [leg < 2 ? -0.45 : 0.45, -0.5 * (v + 0.5), leg % 2 ? -0.45 : 0.45];
      part = 14;
    }
    const cols = xyz.map((c) => c.toFixed(4));
    if (withParts) cols.push(String(partOverride ?? part));
    lines.push(cols.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/** The chair as a binary little-endian .ply with a per-vertex `label` property (uchar). */
function chairPly(partOverride?: number): Uint8Array {
  const rows = chairText(120, true, partOverride)
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number));
  const head = new TextEncoder().encode(
    `ply\nformat binary_little_endian 1.0\nelement vertex ${rows.length}\n` +
      'property float x\nproperty float y\nproperty float z\nproperty uchar label\nend_header\n',
  );
  const body = new DataView(new ArrayBuffer(rows.length * 13));
  rows.forEach((r, i) => {
    for (let d = 0; d < 3; d++) body.setFloat32(i * 13 + 4 * d, r[d]!, true);
    body.setUint8(i * 13 + 12, r[3]!);
  });
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head);
  out.set(new Uint8Array(body.buffer), head.length);
  return out;
}

test.beforeAll(async ({ browser }) => {
  dir = mkdtempSync(join(tmpdir(), 'crosspoint-e2e-parts-'));
  writeFileSync(join(dir, 'chair.txt'), chairText(120, true));
  writeFileSync(join(dir, 'chair.ply'), chairPly());
  writeFileSync(join(dir, 'airplane-labels.ply'), chairPly(2));
  writeFileSync(join(dir, 'unlabelled.txt'), chairText(120, false));
  writeFileSync(join(dir, 'airplane-labels.txt'), chairText(120, true, 2));
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

test.afterAll(async () => {
  await page.close();
  rmSync(dir, { recursive: true, force: true });
});

test('Parts: fine-tune a few epochs, the test instance mIoU is a number', async () => {
  await page.goto('/?preset=first-look&seed=1&panel=parts');
  const panel = page.getByRole('region', { name: 'Parts' });
  await expect(panel).toBeVisible();
  for (const [label, value] of [
    ['Points', '64'],
    ['k', '8'],
    ['Batch', '4'],
    ['Objects per class', '3'],
    ['Epochs', '2'],
  ]) {
    await panel.getByLabel(`Parts ${label}`, { exact: true }).fill(value);
  }
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
  const miou = panel.getByTestId('parts-miou-pretrained');
  await expect(miou).toHaveText(/^\d\.\d{3}$/, { timeout: 170_000 });
  const v = Number(await miou.textContent());
  expect(v).toBeGreaterThanOrEqual(0);
  expect(v).toBeLessThanOrEqual(1);
  await expect(panel.getByTestId('parts-miou-random')).toHaveText(/^\d\.\d{3}$/, { timeout: 120_000 });
  await expect(panel.getByTestId('parts-transfer')).toBeVisible();
  // The level a run must rise above: one part everywhere on the same test split.
  await expect(panel.getByTestId('parts-baseline')).toHaveText(/^0\.\d{3}$/);
  await expect(panel.getByTestId('parts-epoch-random')).toHaveText(/^[12]$/);
});

test('Parts: a dropped chair is coloured by part, with labels the IoU table; bad files keep it', async () => {
  const panel = page.getByRole('region', { name: 'Parts' });
  await panel.getByLabel('Shape category').selectOption('Chair');
  await panel.getByLabel('Parts shape file').setInputFiles(join(dir, 'chair.txt'));
  const shape = panel.getByTestId('parts-shape');
  await expect(shape).toBeVisible({ timeout: 60_000 });
  await expect(shape.getByRole('img', { name: /chair\.txt coloured by prediction/ })).toBeVisible();
  await expect(panel.getByTestId('parts-shape-miou')).toHaveText(/^\d\.\d{3}$/);
  await expect(panel.getByRole('table', { name: 'Per-part IoU' })).toContainText('seat');
  await shape.getByLabel(/errors/).check();
  await expect(shape.getByRole('img', { name: /coloured by errors/ })).toBeVisible();

  // Parts of another category: one message, the chair stays.
  await panel.getByLabel('Parts shape file').setInputFiles(join(dir, 'airplane-labels.txt'));
  await expect(panel.getByTestId('parts-alert')).toContainText("outside Chair's parts 12..15");
  await expect(shape).toContainText('chair.txt');

  // A .ply whose vertices carry a `label` property: ground truth and the IoU table as for .txt.
  await panel.getByLabel('Parts shape file').setInputFiles(join(dir, 'chair.ply'));
  await expect(shape.getByRole('img', { name: /chair\.ply coloured by/ })).toBeVisible({
    timeout: 60_000,
  });
  await expect(panel.getByRole('table', { name: 'Per-part IoU' })).toContainText('leg');
  await shape.getByLabel('ground truth').check();
  await expect(shape.getByRole('img', { name: /chair\.ply coloured by truth/ })).toBeVisible();
  // Its labels out of the category's range: the same one message as for .txt; the shape stays.
  await panel.getByLabel('Parts shape file').setInputFiles(join(dir, 'airplane-labels.ply'));
  await expect(panel.getByTestId('parts-alert')).toContainText(
    "airplane-labels.ply: point 0 has part 2, outside Chair's parts 12..15",
  );
  await expect(shape).toContainText('chair.ply');

  // No labels: prediction only, said.
  await panel.getByLabel('Parts shape file').setInputFiles(join(dir, 'unlabelled.txt'));
  await expect(panel.getByTestId('parts-no-labels')).toBeVisible({ timeout: 60_000 });

  // k larger than the points: refused before anything runs; the runs stay.
  await panel.getByLabel('Parts k', { exact: true }).fill('100');
  await panel.getByRole('button', { name: /Fine-tune|Restart/ }).click();
  await expect(panel.getByTestId('parts-alert')).toContainText(
    'k (100) is larger than the points per cloud (64)',
  );
  await expect(panel.getByTestId('parts-miou-pretrained')).toHaveText(/^\d\.\d{3}$/);
  expect(pageErrors).toEqual([]);
});

test('Parts: the runs survive a reload (autosave, Restore brings back the curves and epochs)', async () => {
  const panel = page.getByRole('region', { name: 'Parts' });
  const status = panel.getByTestId('parts-status');
  const before = (await status.textContent()) ?? '';
  const epochOf = (text: string) => /epoch (\d+)\/\d+ \(pretrained\), (\d+)\/\d+ \(random\)/.exec(text);
  const seen = epochOf(before);
  expect(seen).not.toBeNull();
  const miou = await panel.getByTestId('parts-miou-pretrained').textContent();
  await page.reload();
  const again = page.getByRole('region', { name: 'Parts' });
  await expect(again.getByTestId('parts-autosave')).toContainText(
    `epoch ${seen![1]} (from pretrained), ${seen![2]} (from random init)`,
    { timeout: 120_000 },
  );
  await again.getByRole('button', { name: 'Restore' }).click();
  await expect(again.getByTestId('parts-message')).toContainText('Restored the autosaved runs', {
    timeout: 120_000,
  });
  await expect(again.getByTestId('parts-status')).toContainText(
    `paused · epoch ${seen![1]}/2 (pretrained), ${seen![2]}/2 (random)`,
  );
  await expect(again.getByTestId('parts-miou-pretrained')).toHaveText(miou!);
  await expect(again.getByTestId('parts-miou-chart')).toBeVisible();
  // The restored run colours a shape, as before the reload.
  await again.getByLabel('Shape category').selectOption('Chair');
  await again.getByLabel('Parts shape file').setInputFiles(join(dir, 'chair.txt'));
  await expect(again.getByTestId('parts-shape-miou')).toHaveText(/^\d\.\d{3}$/, { timeout: 60_000 });
  expect(pageErrors).toEqual([]);
});
