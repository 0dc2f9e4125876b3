import { describe, expect, it } from 'vitest';
import { crosspoint } from '../test/cli';
import type { BenchCase } from './report';

describe('crosspoint bench', () => {
  it('kernels --quick prints one JSON case per line: every kernel against its alternative', () => {
    const r = crosspoint(['bench', 'kernels', '--quick'], { timeoutMs: 300_000 });
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
    expect(cases.find((c) => c.section === 'matmul tune')?.figures.variant).toMatch(/^(blocked|tiled|wide)/);
    // Small cases of the other kernels, each with its ratio to the alternative.
    const knn = cases.filter((c) => c.section === 'knn');
    expect(knn.length).toBeGreaterThan(0);
    for (const c of knn) {
      expect(c.ratios.ratio, c.name).toBeGreaterThan(0);
      expect(c.figures.queriesDiffering, c.name).toBe(0);
    }
    const edge = cases.find((c) => c.section === 'edgeconv' && c.name === 'naive / fused');
    expect(edge?.ratios.ratioForwardBackwardTime).toBeGreaterThan(0);
    // The edge tensor makes the naive formulation's peak memory larger at any size.
    expect(edge?.ratios.ratioPeakBytes).toBeGreaterThan(1);
    expect(edge?.figures.maxAbsDiffY).toBeLessThan(1e-4);
    const conv = cases.filter((c) => c.section === 'conv2d');
    expect(conv.map((c) => c.figures.pass).sort()).toEqual([
      'dgrad',
      'dgrad',
      'forward',
      'forward',
      'wgrad',
      'wgrad',
    ]);
    for (const c of conv) expect(c.ratios.ratioDirectOverTiled, c.name).toBeGreaterThan(0);
    // Adam on the first-look step's tensors: the multi-tensor path, fewer passes, the same bits.
    const adam = cases.find((c) => c.section === 'adam');
    expect(adam?.figures['same bits']).toBe('yes');
    expect(adam?.figures['multi passes']).toBeLessThan(Number(adam?.figures['per-tensor passes']) / 3);
    expect(adam?.ratios['ratio per-tensor/multi']).toBeGreaterThan(0);
    // The summary table goes to stderr, so stdout stays machine-readable.
    expect(r.stderr).toContain('blocked/naive');
  }, 300_000);

  it('analyses --quick times UMAP with exact neighbours against umap-js NN-descent, and PCA', () => {
    const r = crosspoint(['bench', 'analyses', '--quick'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const cases = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as BenchCase);
    expect(cases.map((c) => `${c.section} ${c.name}`)).toEqual(['analyses 96×256']);
    const f = cases[0]!.figures as Record<string, number>;
    for (const key of ['UMAP exact', 'UMAP nn-descent']) {
      expect(f[`${key} ms`], key).toBeGreaterThan(0);
      // The longest stretch without a pause is a part of the whole.
      expect(f[`${key} longest block ms`], key).toBeGreaterThan(0);
      expect(f[`${key} longest block ms`], key).toBeLessThanOrEqual(f[`${key} ms`]!);
    }
    expect(f['PCA ms']).toBeGreaterThan(0);
    expect(cases[0]!.ratios['longest block nn-descent/exact']).toBeGreaterThan(0);
  }, 120_000);

  it('an unknown suite exits 2 naming the suites', () => {
    const r = crosspoint(['bench', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown suite "nope" (suites: kernels');
  });
});
