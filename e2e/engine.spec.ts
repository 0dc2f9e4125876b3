import { expect, test } from '@playwright/test';
import { selfTestInputs } from '../src/kernels/selftest-inputs';
import { scaleAddRef } from '../src/kernels/scale_add.ref';
import { FRESH_PROFILE } from './storage-state';

test('the page starts the engine in a worker, shows the adapter, and the worker computes a kernel', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'CrossPoint Playground' })).toBeVisible();
  const engine = page.getByRole('region', { name: 'Engine' });
  await expect(engine).toBeVisible();
  await expect(engine.getByTestId('adapter-vendor')).toHaveText(/\S/);
  await expect(engine.getByTestId('adapter-name')).toContainText(/swiftshader|google|\w/i);
  await expect(engine).toContainText('Storage binding');

  // The worker ran scale_add on 100,003 seeded values; recompute the first outputs here independently.
  const selftest = engine.getByTestId('selftest');
  await expect(selftest).toContainText('passed');
  const { x, y, alpha } = selfTestInputs(100_003, 7);
  const want = scaleAddRef(x.subarray(0, 4), y.subarray(0, 4), alpha);
  const text = (await selftest.textContent()) ?? '';
  const shown = text
    .split('first outputs')[1]!
    .split(',')
    .map((s) => Number(s.trim()));
  expect(shown).toHaveLength(4);
  for (let i = 0; i < 4; i++) expect(shown[i]).toBeCloseTo(want[i]!, 5);
  // The e2e profile's seeded kernel-variant cache (kernel-cache.setup.ts): no probe here.
  await expect(engine.getByTestId('kernel-variants')).toHaveText(/^matmul .+, conv2d \w+ \(cached\)$/);
  expect(errors).toEqual([]);
});

test.describe('on a fresh profile', () => {
  test.use({ storageState: FRESH_PROFILE });

  test('the worker probes the kernel variants, the Engine panel shows the choice, a reload reads it from the cache', async ({
    page,
  }) => {
    test.setTimeout(300_000); // the real probe: every candidate timed on SwiftShader
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    const kernels = page.getByRole('region', { name: 'Engine' }).getByTestId('kernel-variants');
    await expect(kernels).toHaveText(/^matmul [\w-]+ \d+x\d+( k\d+)?, conv2d (direct|tiled) \(probed\)$/, {
      timeout: 240_000,
    });
    const probed = (await kernels.textContent())!.replace(' (probed)', '');
    await page.reload();
    await expect(kernels).toHaveText(`${probed} (cached)`);
    expect(errors).toEqual([]);
  });
});
