import { describe, expect, it } from 'vitest';
import { crosspoint } from '../test/cli';
import type { BenchCase } from './report';

describe('crosspoint bench', () => {
  it('kernels --quick prints one JSON case per line with matmul GFLOP/s', () => {
    const r = crosspoint(['bench', 'kernels', '--quick']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const cases = lines.map((l) => JSON.parse(l) as BenchCase);
    const matmul = cases.filter((c) => c.section === 'matmul');
    expect(matmul.map((c) => c.name)).toContain('square 128');
    expect(matmul.some((c) => c.name.startsWith('conv W[64x128]'))).toBe(true);
    for (const c of matmul) {
      expect(c.figures['GFLOP/s'], c.name).toBeGreaterThan(0);
      expect(c.figures['naive GFLOP/s'], c.name).toBeGreaterThan(0);
      expect(c.ratios['blocked/naive'], c.name).toBeGreaterThan(0);
    }
    expect(cases.find((c) => c.section === 'matmul tune')?.figures.variant).toMatch(/^(blocked|tiled)/);
    // The summary table goes to stderr, so stdout stays machine-readable.
    expect(r.stderr).toContain('blocked/naive');
  });

  it('an unknown suite exits 2 naming the suites', () => {
    const r = crosspoint(['bench', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown suite "nope" (suites: kernels');
  });
});
