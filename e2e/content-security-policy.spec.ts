import { expect, test } from '@playwright/test';
import { CONTENT_SECURITY_POLICY } from '../scripts/content-security-policy';

// Nothing leaves the machine: the page and its engine worker may talk to their own origin only.
// Another origin here is the same host on another port (nothing listens there; without the policy
// the request would fail with a network error and raise no violation).

test('a request to another origin is refused by the Content-Security-Policy, in the page and in the worker', async ({
  page,
  baseURL,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
  const workerStarted = page.waitForEvent('worker');
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  // The engine (a same-origin worker, WebAssembly-free kernels) starts and computes under the policy.
  await expect(page.getByRole('region', { name: 'Engine' }).getByTestId('selftest')).toContainText('passed');
  expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual(
    [],
  );

  const other = new URL(baseURL!);
  other.port = String(Number(other.port) + 1);
  const target = `${other.origin}/upload`;
  const fromPage = await page.evaluate(async (url) => {
    try {
      await fetch(url, { method: 'POST', body: 'a byte of your data' });
      return 'sent';
    } catch (e) {
      return `refused: ${(e as Error).message}`;
    }
  }, target);
  expect(fromPage).toMatch(/^refused/);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))
    .toContainEqual(`connect-src ${target}`);

  // The worker gets the policy from its script's response header (not from the page's meta tag).
  const worker = await workerStarted;
  const fromWorker = await worker.evaluate(async (url) => {
    const seen: string[] = [];
    self.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
    let outcome = 'sent';
    try {
      await fetch(url, { method: 'POST', body: 'a byte of your data' });
    } catch {
      outcome = 'refused';
    }
    await new Promise((r) => setTimeout(r, 100));
    return { outcome, seen };
  }, target);
  expect(fromWorker.outcome).toBe('refused');
  expect(fromWorker.seen).toContainEqual(`connect-src ${target}`);
  expect(errors).toEqual([]);
});
