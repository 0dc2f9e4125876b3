/**
 * `crosspoint sample` arguments for the tiny folder the tests write (13 classes × 2 objects of 256
 * points, 2 views of 32 × 32): the CLI's sample test and the e2e folder tests (e2e/sample-folder.ts).
 */
export function tinySampleArgs(out: string, seed: number): string[] {
  return [
    'sample',
    '--out',
    out,
    '--per-class',
    '2',
    '--points',
    '256',
    '--views',
    '2',
    '--size',
    '32',
    '--seed',
    String(seed),
  ];
}
