import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { expect, test } from '@playwright/test';

// What the Embeddings panel's automatic refresh costs training, measured (not asserted): the
// first-look preset trains in the page with the Embeddings panel open throughout (so both arms
// draw the same page); "Refresh as training goes on" is switched off (A) and on (B) in
// alternating segments A B B A A B B A … (each pair of pairs cancels a load drift that is linear
// in time, which matters on a shared machine), and training steps per second are counted over
// each arm's segments together and per A/B pair (mean ± standard error of the pairs' ratios).
// A B segment ends with the refresh switched off once the engine's refresh budget is ready again
// after its last refresh (src/worker/refresh-pacer.ts), so it holds whole periods (each refresh
// and the training that pays for it) and no refresh spills into an A segment. Beside the ratio it
// reads what the engine counted (the budget's training and refresh ms: the share the pacer
// accounts for, and training ms per step in each arm, which shows slowdown the pacer does not
// count) and the page's main-thread long tasks (> 50 ms; what drawing costs, also uncounted).
// Prints one JSON line per segment and the totals and writes them to
// test-output/refresh-cost.json. `npm run measure:refresh-cost`; REFRESH_COST_SEGMENT sets a
// segment's seconds (default 60), REFRESH_COST_PAIRS the A/B pairs (default 6: 12 segments; keep
// it even, so every A B pair has its mirror B A).

const SEGMENT = Number(process.env.REFRESH_COST_SEGMENT ?? 60);
const PAIRS = Number(process.env.REFRESH_COST_PAIRS ?? 6);

interface Segment {
  arm: 'A' | 'B';
  steps: number;
  seconds: number;
  stepsPerSec: number;
  /** The engine's budget over the segment: training ms (per step) and refresh ms it charged. */
  trainingMsPerStep: number;
  refreshMs: number;
  /** The page's main-thread long tasks in the segment (ms in all). */
  longTaskMs: number;
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
  await page.addInitScript(() => {
    const w = window as unknown as { __longTaskMs: number };
    w.__longTaskMs = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTaskMs += e.duration;
    }).observe({ type: 'longtask', buffered: true });
  });
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
  const budget = emb.getByTestId('refresh-share');
  const ledger = async () => ({
    trainingMs: Number(await budget.getAttribute('data-training-ms')),
    refreshMs: Number(await budget.getAttribute('data-refresh-ms')),
    ready: (await budget.getAttribute('data-ready')) === 'true',
    longTaskMs: await page.evaluate(() => (window as unknown as { __longTaskMs: number }).__longTaskMs),
  });
  await expect(budget).toBeVisible({ timeout: 600_000 });
  const run = async (arm: 'A' | 'B') => {
    await auto.setChecked(arm === 'B');
    const s0 = await step();
    const l0 = await ledger();
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
    // No new refresh; the one in flight and the training that pays for it belong to this segment.
    await auto.setChecked(false);
    while ((await poll()).busy || !(await ledger()).ready) await page.waitForTimeout(500);
    const s1 = await step();
    const l1 = await ledger();
    const seconds = (Date.now() - t0) / 1000;
    const costMs = [...seen.values()].filter((c) => Number.isFinite(c));
    const row: Segment = {
      arm,
      steps: s1 - s0,
      seconds,
      stepsPerSec: (s1 - s0) / seconds,
      trainingMsPerStep: (l1.trainingMs - l0.trainingMs) / Math.max(1, s1 - s0),
      refreshMs: l1.refreshMs - l0.refreshMs,
      longTaskMs: l1.longTaskMs - l0.longTaskMs,
      pictures: costMs.length,
      costMs,
    };
    segments.push(row);
    console.log(
      JSON.stringify(row),
      `load ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
  };
  for (let p = 0; p < PAIRS; p++) {
    const order: ('A' | 'B')[] = p % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
    for (const arm of order) await run(arm);
  }

  const arm = (a: 'A' | 'B') => {
    const s = segments.filter((x) => x.arm === a);
    const sum = (f: (x: Segment) => number) => s.reduce((t, x) => t + f(x), 0);
    const steps = sum((x) => x.steps);
    const seconds = sum((x) => x.seconds);
    return {
      steps,
      seconds,
      stepsPerSec: steps / seconds,
      pictures: sum((x) => x.pictures),
      trainingMsPerStep: Number((sum((x) => x.trainingMsPerStep * x.steps) / steps).toFixed(1)),
      refreshMs: Math.round(sum((x) => x.refreshMs)),
      longTaskMs: Math.round(sum((x) => x.longTaskMs)),
    };
  };
  const a = arm('A');
  const b = arm('B');
  // Segments 2p and 2p + 1 are pair p (A B or B A): its ratio of steps/s, B over A.
  const ratios = Array.from({ length: PAIRS }, (_, p) => {
    const [x, y] = [segments[2 * p]!, segments[2 * p + 1]!];
    const [sa, sb] = x.arm === 'A' ? [x, y] : [y, x];
    return sb.stepsPerSec / sa.stepsPerSec;
  });
  const mean = ratios.reduce((t, r) => t + r, 0) / ratios.length;
  const se =
    ratios.length > 1
      ? Math.sqrt(ratios.reduce((t, r) => t + (r - mean) ** 2, 0) / (ratios.length - 1) / ratios.length)
      : Number.NaN;
  const costs = segments.flatMap((x) => x.costMs);
  const summary = {
    what: 'refresh cost over alternating segments',
    segmentSeconds: SEGMENT,
    pairs: PAIRS,
    withoutRefresh: a,
    withRefresh: b,
    ratio: Number((b.stepsPerSec / a.stepsPerSec).toFixed(3)),
    throughputLost: Number((1 - b.stepsPerSec / a.stepsPerSec).toFixed(3)),
    pairRatios: ratios.map((r) => Number(r.toFixed(3))),
    pairRatioMean: Number(mean.toFixed(3)),
    pairRatioSE: Number(se.toFixed(3)),
    refreshPeriods: b.pictures,
    meanPeriodSeconds: b.pictures ? Number((b.seconds / b.pictures).toFixed(1)) : null,
    // The engine's own accounts over the B segments: the pacer's refresh ms (GPU slices and
    // projection) as a share of B's time, and the pictures' reported cost likewise.
    costShareByPacer: Number((b.refreshMs / 1000 / b.seconds).toFixed(3)),
    costShareByWorker: Number((costs.reduce((t, c) => t + c, 0) / 1000 / b.seconds).toFixed(3)),
    meanCostSeconds: costs.length
      ? Number((costs.reduce((t, c) => t + c, 0) / costs.length / 1000).toFixed(2))
      : null,
    // What the pacer does not count: training steps slowed in B (training ms per step, B over A),
    // and the page's main-thread long tasks (B minus A, as a share of B's time).
    trainingMsPerStepRatio: Number((b.trainingMsPerStep / a.trainingMsPerStep).toFixed(3)),
    longTaskShareB: Number((b.longTaskMs / 1000 / b.seconds).toFixed(4)),
    longTaskShareA: Number((a.longTaskMs / 1000 / a.seconds).toFixed(4)),
    loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
    note: b.pictures < 10 ? 'fewer than 10 refresh periods: lengthen the segments or add pairs' : undefined,
  };
  console.log(JSON.stringify(summary));
  // Playwright runs this from bench/browser, where test-output/ may not exist yet.
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/refresh-cost.json', `${JSON.stringify({ segments, summary }, null, 1)}\n`);
});
