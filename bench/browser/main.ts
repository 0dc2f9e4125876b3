/**
 * The benchmark page (bench.html): the comparison suite (bench/compare) in a browser tab, on the
 * page's own WebGPU adapter. Each case goes to the console as "BENCH <json>" (bench/browser/run.mjs
 * collects them), progress as "BENCH-NOTE <text>", and the summary table as "BENCH-TABLE <json string>".
 */
import { acquireBrowserContext } from '../../src/gpu/browser';
import { adapterName } from '../../src/gpu/adapter-info';
import { compareSuite } from '../compare/index';
import { BenchReport } from '../report';

declare global {
  interface Window {
    /** Set when the run ends: "ok" or the error message. */
    __benchDone?: string;
  }
}

const status = document.getElementById('status')!;
const tableEl = document.getElementById('table')!;

async function run(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const quick = params.has('quick') && params.get('quick') !== '0';
  const skip = (params.get('skip') ?? '').split(',').filter(Boolean);
  const sections = params.get('sections')?.split(',').filter(Boolean);
  const maxSize = Number(params.get('max-size') ?? 2048);
  const report = new BenchReport(
    {
      out: (text) => {
        for (const line of text.trim().split('\n')) console.log(`BENCH ${line}`);
      },
      err: (text) => {
        status.textContent = text.trim();
        console.log(`BENCH-NOTE ${text.trim()}`);
      },
    },
    { quick, maxSize, skip },
  );
  const ctx = await acquireBrowserContext();
  report.note(`bench compare (browser) on ${adapterName(ctx.adapter)}; ${navigator.userAgent}`);
  try {
    await compareSuite(undefined, sections)(ctx, report);
  } finally {
    ctx.destroy();
  }
  const table = report.table();
  tableEl.textContent = table;
  console.log(`BENCH-TABLE ${JSON.stringify(table)}`);
}

run().then(
  () => {
    status.textContent = 'done';
    window.__benchDone = 'ok';
  },
  (e: unknown) => {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    status.textContent = `failed: ${msg}`;
    window.__benchDone = msg;
  },
);
