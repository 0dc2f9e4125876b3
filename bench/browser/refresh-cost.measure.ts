import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// What the Embeddings panel's automatic refresh costs training, measured (not asserted): the
// first-look preset trains in the page; training steps per second are counted over a window with
// the Training panel open (no refresh), then over a window of the same length with the Embeddings
// panel open (refreshing itself under its budget), then again without. Prints one JSON line per
// window and writes them to test-output/refresh-cost.json. `npm run measure:refresh-cost`
// (REFRESH_COST_SECONDS sets the window, default 120).

const SECONDS = Number(process.env.REFRESH_COST_SECONDS ?? 120);

test('refresh cost: steps/s with and without the Embeddings panel refreshing', async ({ page }) => {
  test.setTimeout((4 * SECONDS + 600) * 1000);
  await page.goto('/?preset=first-look&seed=1&panel=training');
  const training = page.getByRole('region', { name: 'Training', exact: true });
  await training.getByRole('button', { name: 'Train', exact: true }).click();
  const step = async () => Number((await page.getByTestId('status-step').textContent()) ?? '0');
  await expect.poll(step, { timeout: 600_000, intervals: [2000] }).toBeGreaterThanOrEqual(5);
  const open = (title: string) =>
    page
      .getByRole('navigation', { name: 'Panels' })
      .getByRole('button', { name: new RegExp(`^${title}`) })
      .click();
  const rows: Record<string, unknown>[] = [];
  const window = async (what: string) => {
    const s0 = await step();
    const t0 = Date.now();
    const refreshSteps = new Set<number>();
    while (Date.now() - t0 < SECONDS * 1000) {
      await page.waitForTimeout(1000);
      const m = ((await page.getByTestId('embeddings-summary').allTextContents())[0] ?? '').match(
        /at step (\d+)/,
      );
      if (m) refreshSteps.add(Number(m[1]));
    }
    const s1 = await step();
    const row = {
      what,
      steps: s1 - s0,
      seconds: (Date.now() - t0) / 1000,
      stepsPerSec: (s1 - s0) / ((Date.now() - t0) / 1000),
      pictures: refreshSteps.size,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  };
  await window('training panel (no refresh)');
  await open('Embeddings');
  await window('embeddings panel, refreshing as training goes on');
  await open('Training');
  await window('training panel again (no refresh)');
  const base = ((rows[0]!.stepsPerSec as number) + (rows[2]!.stepsPerSec as number)) / 2;
  const cost = 1 - (rows[1]!.stepsPerSec as number) / base;
  console.log(JSON.stringify({ what: 'cost', throughputLost: Number(cost.toFixed(3)) }));
  writeFileSync('test-output/refresh-cost.json', JSON.stringify({ rows, throughputLost: cost }, null, 2));
});
