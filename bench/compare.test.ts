import { describe, expect, it } from 'vitest';
import { crosspoint } from '../test/cli';
import type { BenchCase } from './report';

describe('crosspoint bench compare', () => {
  // The WebGPU contenders are skipped here: compiling ORT's and TF.js's shaders on SwiftShader
  // takes minutes. The full comparison (docs/PERFORMANCE.md) runs them; the skip keeps their lines.
  it('--quick prints one JSON case per line for every section, with ratios against ORT WASM and jax-js Wasm', () => {
    const r = crosspoint(['bench', 'compare', '--quick', '--skip', 'ort-webgpu,tfjs-webgpu,jax-webgpu'], {
      timeoutMs: 400_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const cases = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as BenchCase);
    const sections = [...new Set(cases.map((c) => c.section))];
    expect(sections).toEqual([
      'compare matmul',
      'compare encoder',
      'compare train step',
      'compare knn',
      'compare edgeconv',
    ]);
    for (const c of cases) {
      expect(c.figures['ours ms'], c.name).toBeGreaterThan(0);
      // A skipped or missing runtime still has its line entry, saying why.
      if (c.section === 'compare edgeconv') {
        expect(c.figures['jax-webgpu ms']).toBe('skipped (--skip)');
      } else if (c.section !== 'compare train step') {
        expect(c.figures['ort-webgpu ms'], c.name).toBe('skipped (--skip)');
        expect(c.figures['ort-wasm ms'], c.name).toBeGreaterThan(0);
        expect(c.ratios['ours/ort-wasm'], c.name).toBeGreaterThan(0);
      } else {
        expect(c.figures['tfjs-webgpu ms']).toBe('skipped (--skip)');
      }
    }
    // Our encoder and ORT running our ONNX export of the same weights agree.
    const enc = cases.find((c) => c.section === 'compare encoder')!;
    expect(enc.figures['ort-wasm rel max diff']).toBeLessThan(1e-3);
    expect(cases.find((c) => c.section === 'compare knn')!.figures['ort-wasm queries differing']).toBe(0);
    // jax-js (Wasm) computes the same numbers on the same inputs, and is timed beside ours.
    for (const c of cases.filter((c) =>
      ['compare matmul', 'compare knn', 'compare edgeconv'].includes(c.section),
    ))
      expect(c.ratios['ours/jax-wasm'], c.name).toBeGreaterThan(0);
    for (const c of cases.filter((c) => c.section === 'compare matmul'))
      expect(c.figures['jax-wasm rel max diff'], c.name).toBeLessThan(1e-5);
    expect(cases.find((c) => c.section === 'compare knn')!.figures['jax-wasm queries differing']).toBe(0);
    const step = cases.find(
      (c) => c.section === 'compare edgeconv' && c.name.startsWith('forward+backward'),
    )!;
    expect(step.figures['jax-wasm y rel max diff']).toBeLessThan(1e-5);
    expect(step.figures['jax-wasm dx rel max diff']).toBeLessThan(1e-4);
    expect(step.figures['jax-wasm dW rel max diff']).toBeLessThan(1e-4);
    expect(r.stderr).toContain('ours/ort-wasm');
    expect(r.stderr).toContain('ours/jax-wasm');
  }, 400_000);
});
