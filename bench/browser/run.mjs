#!/usr/bin/env node
// `npm run bench:browser [-- --quick] [--skip ort-webgpu,...] [--sections matmul,knn] [--max-size N]`:
// builds bench.html, serves it, opens it in headless Chromium with WebGPU (SwiftShader here) and
// prints each case as one JSON line on stdout, progress and the summary table on stderr, as the
// Node `crosspoint bench compare` does. Exits 1 if the page reports an error.
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const root = resolve(import.meta.dirname, '../..');
const configFile = resolve(root, 'bench/browser/vite.config.ts');

const params = new URLSearchParams();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') params.set('quick', '1');
  else if (a === '--skip' || a === '--sections' || a === '--max-size')
    params.set(a.slice(2), argv[++i] ?? '');
  else if (a === '--headed') params.set('headed', '1');
  else {
    console.error(
      `bench:browser: unknown argument "${a}" (--quick, --skip LIST, --sections LIST, --max-size N)`,
    );
    process.exit(2);
  }
}
const headed = params.get('headed') === '1';
params.delete('headed');

await build({ configFile, logLevel: 'warn' });
const server = await preview({ configFile, preview: { port: 0, strictPort: false }, logLevel: 'warn' });
const base = server.resolvedUrls?.local[0];
if (!base) throw new Error('the preview server has no local URL');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: !headed,
  args: [
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let code = 0;
try {
  const page = await browser.newPage();
  let table = '';
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith('BENCH ')) process.stdout.write(`${text.slice(6)}\n`);
    else if (text.startsWith('BENCH-NOTE ')) process.stderr.write(`${text.slice(11)}\n`);
    else if (text.startsWith('BENCH-TABLE ')) table = JSON.parse(text.slice(12));
    else if (msg.type() === 'error') process.stderr.write(`[page] ${text}\n`);
  });
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  await page.goto(`${base}bench.html?${params}`);
  await page.waitForFunction(() => window.__benchDone !== undefined, undefined, {
    timeout: 0,
    polling: 1000,
  });
  const done = await page.evaluate(() => window.__benchDone);
  if (done !== 'ok') {
    process.stderr.write(`bench:browser: the page failed: ${done}\n`);
    code = 1;
  }
  if (table) process.stderr.write(`\n${table}\n`);
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
process.exit(code);
