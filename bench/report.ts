/** Where a report writes (the CLI passes its streams, tests pass buffers). */
export interface BenchIO {
  out(text: string): void;
  err(text: string): void;
}

/** Settings every suite honours. */
export interface BenchOptions {
  /** Fewer sizes and runs (the smoke test uses this). */
  quick: boolean;
  /** Largest matrix side (or point count) a case may use. */
  maxSize: number;
  /** Runtimes a comparison leaves out (e.g. "ort-webgpu"); their lines say "skipped". */
  skip?: readonly string[];
}

/** One measured case: what was run, its figures (GFLOP/s, ms...) and ratios between them. */
export interface BenchCase {
  /** The section of the suite, e.g. "matmul". */
  section: string;
  name: string;
  figures: Record<string, number | string>;
  ratios: Record<string, number>;
}

/**
 * Collects the cases of a run. Each case is printed at once as one JSON line on stdout (so a long
 * run can be piped and parsed as it goes); table() formats them all for the end of the run.
 */
export class BenchReport {
  readonly cases: BenchCase[] = [];

  constructor(
    private readonly io: BenchIO,
    readonly options: BenchOptions,
  ) {}

  add(c: BenchCase): void {
    this.cases.push(c);
    this.io.out(`${JSON.stringify(c)}\n`);
  }

  /** Progress and notes for a human, on stderr, so stdout stays one JSON object per line. */
  note(text: string): void {
    this.io.err(`${text}\n`);
  }

  /** One table per section: a row per case, a column per figure and ratio. */
  table(): string {
    const sections = [...new Set(this.cases.map((c) => c.section))];
    return sections
      .map((section) => {
        const rows = this.cases.filter((c) => c.section === section);
        const figs = [...new Set(rows.flatMap((c) => Object.keys(c.figures)))];
        const ratios = [...new Set(rows.flatMap((c) => Object.keys(c.ratios)))];
        const header = ['case', ...figs, ...ratios];
        const body = rows.map((c) => [
          c.name,
          ...figs.map((f) => formatFigure(c.figures[f])),
          ...ratios.map((r) => (c.ratios[r] === undefined ? '' : `${c.ratios[r]!.toFixed(2)}x`)),
        ]);
        return `${section}\n${formatTable([header, ...body])}`;
      })
      .join('\n\n');
  }
}

function formatFigure(v: number | string | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(1);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3);
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
