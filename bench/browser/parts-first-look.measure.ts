import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// The Parts panel at the size this adapter gets by default (first-look on a CPU adapter), measured
// (not asserted): Fine-tune pressed with no pretrained model, then every run's epochs as they
// come, with the seconds since the press and the test instance mIoU, beside the panel's
// one-part-everywhere score; at the end, when each run first scored 0.1 above it. Prints one JSON
// line per epoch and writes them all to test-output/parts-first-look.json.
// `npm run measure:parts-first-look` (PARTS_MINUTES, default 10).

const MINUTES = Number(process.env.PARTS_MINUTES ?? 10);
const ARMS = ['pretrained', 'random'] as const;

test('parts first look: fine-tuning in the Parts panel at its default size', async ({ page }) => {
  test.setTimeout((MINUTES + 5) * 60_000);
  await page.goto('/?panel=parts');
  const panel = page.getByRole('region', { name: 'Parts' });
  await expect(panel).toBeVisible();
  const size = await panel.getByLabel('Parts size').inputValue();
  const field = (l: string) => panel.getByLabel(`Parts ${l}`, { exact: true }).inputValue();
  const form = {
    size,
    points: await field('Points'),
    k: await field('k'),
    batch: await field('Batch'),
    perClass: await field('Objects per class'),
    bnMomentum: await field('BN momentum'),
  };
  console.log(JSON.stringify({ what: 'form', ...form }));
  await panel.getByRole('button', { name: 'Fine-tune' }).click();
  const t0 = Date.now();
  const baselineCell = panel.getByTestId('parts-baseline');
  await expect(baselineCell).toBeVisible({ timeout: 300_000 });
  const baseline = Number(await baselineCell.textContent());
  const rows: Record<string, unknown>[] = [];
  const seen: Record<string, number> = { pretrained: 0, random: 0 };
  while (Date.now() - t0 < MINUTES * 60_000) {
    for (const arm of ARMS) {
      const epoch = Number(
        await panel
          .getByTestId(`parts-epoch-${arm}`)
          .textContent()
          .catch(() => '0'),
      );
      if (!(epoch > seen[arm]!)) continue;
      seen[arm] = epoch;
      const miou = Number(await panel.getByTestId(`parts-miou-${arm}`).textContent());
      const row = { arm, epoch, seconds: Math.round((Date.now() - t0) / 1000), miou, baseline };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    await page.waitForTimeout(2000);
  }
  const clear = Object.fromEntries(
    ARMS.map((arm) => {
      const r = rows.find((x) => x.arm === arm && (x.miou as number) >= baseline + 0.1);
      return [arm, r ? { epoch: r.epoch, seconds: r.seconds, miou: r.miou } : null];
    }),
  );
  const summary = {
    what: 'summary',
    minutes: MINUTES,
    form,
    baseline,
    firstClearlyAbove: clear,
    epochs: seen,
  };
  console.log(JSON.stringify(summary));
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/parts-first-look.json', `${JSON.stringify({ summary, rows }, null, 1)}\n`);
});
