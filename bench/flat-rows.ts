import type { BenchOptions, BenchReport } from './report';
import type { BenchSuite } from './suite';

/**
 * Adapts a section that reports flat rows ({section, name | case, ...values}) to BenchReport:
 * fields named ratio* become ratios, the other numbers and strings become figures.
 */
export function flatRowSection(
  section: string,
  run: (
    ctx: Parameters<BenchSuite>[0],
    report: (row: Record<string, unknown>) => void,
    options: BenchOptions,
  ) => Promise<void>,
): BenchSuite {
  return async (ctx, report: BenchReport) => {
    report.note(`${section}${report.options.quick ? ' (quick: small cases)' : ''}...`);
    await run(
      ctx,
      (row) => {
        const figures: Record<string, number | string> = {};
        const ratios: Record<string, number> = {};
        const name = String(row.name ?? [row.case, row.pass].filter(Boolean).join(' '));
        for (const [k, v] of Object.entries(row)) {
          if (k === 'section' || k === 'name' || k === 'case' || v === undefined) continue;
          if (/^ratio/i.test(k) && typeof v === 'number') ratios[k] = v;
          else if (typeof v === 'number' || typeof v === 'string') figures[k] = v;
        }
        report.add({ section: String(row.section ?? section), name, figures, ratios });
      },
      report.options,
    );
  };
}
