import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// What the Embeddings panel's automatic refresh costs training, measured (not asserted): the
// first-look preset trains in the page with the Embeddings panel open throughout (so both arms
// draw the same page); "Refresh as training goes on" is switched off (A) and on (B) in
// alternating segments A B B A A B B A … (each pair of pairs cancels a load drift that is linear
// in time, which matters on a shared machine), and training steps per second are counted over
// each arm's segments together. A B segment ends only once its last refresh has finished, so no
// refresh spills into an A segment; switching refresh on starts one at once when the budget
// allows, so short B segments hold more refreshes than the steady state (a conservative figure).
// Prints one JSON line per segment and the totals (steps/s of each arm, their ratio, the share of
// throughput lost, refreshes and their mean period and measured cost) and writes them to
// test-output/refresh-cost.json. `npm run measure:refresh-cost`; REFRESH_COST_SEGMENT sets a
// segment's seconds (default 60), REFRESH_COST_PAIRS the A/B pairs (default 6: 12 segments; keep it even, so every A B pair has its
// mirror B A).

const SEGMENT = Number(process.env.REFRESH_COST_SEGMENT ?? 60);
const PAIRS = Number(process.env.REFRESH_COST_PAIRS ?? 6);

interface Segment {
  arm: 'A' | 'B';
  steps: number;
  seconds: number;
  stepsPerSec: number;
  /** Pictures finished in the segment (B), with what each cost training by the worker's measure. */
  pictures: number;
  costMs: number[];
}

test('refresh cost: steps/s with and without the Embeddings panel refreshing, A/B alternating', async ({
  page,
}) => {
  test.setTimeout((2 * PAIRS * (SEGMENT + 90) + 900) * 1000);
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') console.log(`page ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  // Epochs well past the measurement, so the run does not finish inside it.
  await page.goto('/?preset=first-look&seed=1&epochs=400&panel=training');
  const training = page.getByRole('region', { name: 'Training', exact: true });
  await training.getByRole('button', { name: 'Train', exact: true }).click();
  const step = async () => Number(((await page.getByTestId('status-step').textContent()) ?? '0').trim());
  await expect.poll(step, { timeout: 600_000, intervals: [2000] }).toBeGreaterThanOrEqual(5);
  await page
    .getByRole('navigation', { name: 'Panels' })
    .getByRole('button', { name: /^Embeddings/ })
    .click();
  const emb = page.getByRole('region', { name: 'Embeddings', exact: true });
  const maps = emb.getByTestId('embedding-maps');
  const auto = emb.getByLabel('Refresh as training goes on');
  // The first picture (the panel asks for one when it opens, whatever the switch says).
  await expect(maps).toHaveAttribute('aria-busy', 'false', { timeout: 600_000 });
  const picture = async () => ({
    step: Number(await maps.getAttribute('data-step')),
    costMs: Number(await maps.getAttribute('data-cost-ms')),
    busy: (await maps.getAttribute('aria-busy')) === 'true',
  });

  // Segments start with no refresh in flight.
  await auto.setChecked(false);
  await expect(maps).toHaveAttribute('aria-busy', 'false', { timeout: 600_000 });

  const segments: Segment[] = [];
  const run = async (arm: 'A' | 'B') => {
    await auto.setChecked(arm === 'B');
    const s0 = await step();
    const t0 = Date.now();
    const seen = new Map<number, number>([[(await picture()).step, Number.NaN]]);
    const poll = async () => {
      const p = await picture();
      if (!p.busy && !seen.has(p.step)) seen.set(p.step, p.costMs);
      return p;
    };
    while (Date.now() - t0 < SEGMENT * 1000) {
      await page.waitForTimeout(1000);
      await poll();
    }
    // A refresh in flight belongs to this segment: wait for its picture.
    while ((await poll()).busy) await page.waitForTimeout(500);
    const s1 = await step();
    const seconds = (Date.now() - t0) / 1000;
    const costMs = [...seen.values()].filter((c) => Number.isFinite(c));
    const row: Segment = {
      arm,
      steps: s1 - s0,
      seconds,
      stepsPerSec: (s1 - s0) / seconds,
      pictures: costMs.length,
      costMs,
    };
    segments.push(row);
    console.log(JSON.stringify(row));
  };
  for (let p = 0; p < PAIRS; p++) {
    const order: ('A' | 'B')[] = p % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const arm of order) await run(arm);
  }

  const arm = (a: 'A' | 'B') => {
    const s = segments.filter((x) => x.arm === a);
    const steps = s.reduce((t, x) => t + x.steps, 0);
    const seconds = s.reduce((t, x) => t + x.seconds, 0);
    return { steps, seconds, stepsPerSec: steps / seconds, pictures: s.reduce((t, x) => t + x.pictures, 0) };
  };
  const a = arm('A');
  const b = arm('B');
  const costs = segments.flatMap((x) => x.costMs);
  const summary = {
    what: 'refresh cost over alternating segments',
    segmentSeconds: SEGMENT,
    pairs: PAIRS,
    withoutRefresh: a,
    withRefresh: b,
    ratio: Number((b.stepsPerSec / a.stepsPerSec).toFixed(3)),
    throughputLost: Number((1 - b.stepsPerSec / a.stepsPerSec).toFixed(3)),
    refreshPeriods: b.pictures,
    meanPeriodSeconds: b.pictures ? Number((b.seconds / b.pictures).toFixed(1)) : null,
    // The worker's own measure (EmbeddingsReply.costMs): the share of the B segments' time its
    // refresh jobs held training up; free of the machine's load drift, unlike the ratio.
    costShareByWorker: Number((costs.reduce((t, c) => t + c, 0) / 1000 / b.seconds).toFixed(3)),
    meanCostSeconds: costs.length
      ? Number((costs.reduce((t, c) => t + c, 0) / costs.length / 1000).toFixed(2))
      : null,
    note: b.pictures < 10 ? 'fewer than 10 refresh periods: lengthen the segments or add pairs' : undefined,
  };
  console.log(JSON.stringify(summary));
  // Playwright runs this from bench/browser, where test-output/ may not exist yet.
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/refresh-cost.json', `${JSON.stringify({ segments, summary }, null, 1)}\n`);
});
